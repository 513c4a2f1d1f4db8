"""Vietnamese for sqladmin's own interface texts (it ships no Vietnamese catalogue).

Installed as the templates' `_()`/`gettext`; a text missing here shows in English rather than
failing. Submit buttons keep their English `value` (sqladmin compares it server-side): the
overridden templates show the Vietnamese label only.
"""

from __future__ import annotations

VIETNAMESE: dict[str, str] = {
    "List": "Danh sách",
    "Details": "Chi tiết",
    "Create": "Thêm mới",
    "Edit": "Sửa",
    "Delete": "Xoá",
    "Export": "Xuất",
    "Import": "Nhập",
    "New %(name)s": "Thêm %(name)s",
    "Cancel": "Huỷ",
    "Save": "Lưu",
    "Save and continue editing": "Lưu và tiếp tục sửa",
    "Save and add another": "Lưu và thêm mới",
    "Save as new": "Lưu thành bản mới",
    "Column": "Trường",
    "Value": "Giá trị",
    "Go Back": "Quay lại",
    "Edit %(name)s": "Sửa %(name)s",
    "Logout": "Đăng xuất",
    "Language": "Ngôn ngữ",
    "Import CSV": "Nhập CSV",
    "You are not authorized to view these records.": "Bạn không có quyền xem các bản ghi này.",
    "Actions": "Thao tác",
    "Delete selected items": "Xoá các mục đã chọn",
    "Search": "Tìm kiếm",
    "Select all": "Chọn tất cả",
    "Select item": "Chọn",
    "View": "Xem",
    "Showing %(start)s to %(end)s of %(count)s items": "Hiển thị %(start)s–%(end)s / %(count)s",
    "prev": "trước",
    "next": "sau",
    "Show": "Hiện",
    "%(size)s / Page": "%(size)s / trang",
    "Filters": "Lọc",
    "Login to %(title)s": "Đăng nhập %(title)s",
    "Username": "Tên đăng nhập",
    "Enter username": "Nhập tên đăng nhập",
    "Password": "Mật khẩu",
    "Login": "Đăng nhập",
    "Close": "Đóng",
    "Done": "Xong",
    "Clear filter": "Bỏ lọc",
    "Apply Filter": "Áp dụng",
    "Please confirm": "Xin xác nhận",
    "Yes": "Đồng ý",
    "Invalid credentials.": "Tên đăng nhập hoặc mật khẩu không đúng.",
}


def gettext(message: str) -> str:
    return VIETNAMESE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)
