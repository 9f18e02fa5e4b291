"""The demo's fixed data: who takes part in each seed campaign, which rounds and awards the
demo plays, and the Vietnamese names people and units carry. Nothing random lives here."""

from __future__ import annotations

from dataclasses import dataclass

#: Every demo user signs in with this password (the hash is computed once per load).
DEMO_PASSWORD = "awardflow-demo-2026"
EMAIL_DOMAIN = "demo.awardflow.vn"


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A participating unit: ``slug`` is local to the campaign (the unit code is
    ``<organiser code>/<slug>``, as the loader names the organiser's offices)."""

    slug: str
    name: str
    kind: str
    participants: int


@dataclass(frozen=True, slots=True)
class CampaignDemo:
    """What the demo plays for one seed campaign: its file, short name (usernames), units,
    and per round the award for individuals and the award for collectives."""

    code: str
    file: str
    short: str
    units: tuple[UnitSpec, ...]
    annual_round: str
    annual_awards: tuple[str, str]
    review_round: str
    review_awards: tuple[str, str]
    council_members: int = 5


def _schools(*items: tuple[str, str, int]) -> tuple[UnitSpec, ...]:
    return tuple(UnitSpec(slug, name, "school", n) for slug, name, n in items)


CAMPAIGNS: tuple[CampaignDemo, ...] = (
    CampaignDemo(
        code="dien-bien-gddt-dmst-2026",
        file="dien-bien-gddt-dmst-2026.yaml",
        short="dienbien",
        units=_schools(
            ("thpt-lqd", "Trường THPT Chuyên Lê Quý Đôn", 96),
            ("thpt-muong-nhe", "Trường THPT Mường Nhé", 58),
            ("thpt-tuan-giao", "Trường THPT Tuần Giáo", 72),
            ("th-him-lam", "Trường Tiểu học Him Lam", 45),
            ("thcs-muong-cha", "Trường PTDTBT THCS Mường Chà", 38),
        ),
        annual_round="annual-2026",
        annual_awards=("giay_khen", "giay_khen"),
        review_round="midterm-2027",
        review_awards=("bang_khen_tinh", "bang_khen_tinh"),
    ),
    CampaignDemo(
        code="ha-noi-gddt-dmst-cds-2025",
        file="ha-noi-gddt-dmst-cds-2025.yaml",
        short="hanoi",
        units=_schools(
            ("thpt-chu-van-an", "Trường THPT Chu Văn An", 124),
            ("thpt-kim-lien", "Trường THPT Kim Liên", 110),
            ("thpt-viet-duc", "Trường THPT Việt Đức", 105),
            ("th-doan-thi-diem", "Trường Tiểu học Đoàn Thị Điểm", 86),
            ("thcs-cau-giay", "Trường THCS Cầu Giấy", 92),
        ),
        annual_round="annual-2025",
        annual_awards=("giay_khen", "giay_khen"),
        review_round="midterm-2027",
        review_awards=("bang_khen_tinh", "co_thi_dua_tinh"),
    ),
    CampaignDemo(
        code="lam-dong-gddt-dmst-cds-2025",
        file="lam-dong-gddt-dmst-cds-2025.yaml",
        short="lamdong",
        units=_schools(
            ("thpt-tran-phu", "Trường THPT Chuyên Trần Phú", 88),
            ("thpt-bui-thi-xuan", "Trường THPT Bùi Thị Xuân", 80),
            ("thpt-bao-loc", "Trường THPT Bảo Lộc", 76),
            ("th-le-loi", "Trường Tiểu học Lê Lợi", 52),
            ("thcs-lam-ha", "Trường THCS Lâm Hà", 47),
        ),
        annual_round="annual-2025",
        annual_awards=("giay_khen", "giay_khen"),
        review_round="midterm-2027",
        review_awards=("bang_khen_tinh", "bang_khen_tinh"),
    ),
    CampaignDemo(
        code="tuyen-quang-sngv-dmst-2026",
        file="tuyen-quang-sngv-dmst-2026.yaml",
        short="tuyenquang",
        units=(
            UnitSpec("phong-htqt", "Phòng Hợp tác quốc tế", "office", 9),
            UnitSpec("phong-lanh-su", "Phòng Lãnh sự", "office", 7),
            UnitSpec("phong-bien-gioi", "Phòng Quản lý biên giới", "office", 8),
            UnitSpec("thanh-tra", "Thanh tra Sở", "office", 5),
        ),
        annual_round="annual-2026",
        annual_awards=("giay_khen", "giay_khen"),
        review_round="midterm-2027",
        review_awards=("bang_khen_tinh", "bang_khen_tinh"),
        council_members=4,
    ),
    CampaignDemo(
        code="lao-cai-ubnd-dmst-2026",
        file="lao-cai-ubnd-dmst-2026.yaml",
        short="laocai",
        units=(
            UnitSpec("so-gddt", "Sở Giáo dục và Đào tạo tỉnh Lào Cai", "department", 64),
            UnitSpec("so-yte", "Sở Y tế tỉnh Lào Cai", "department", 58),
            UnitSpec("xa-bac-ha", "UBND xã Bắc Hà", "commune", 31),
            UnitSpec("xa-sa-pa", "UBND xã Sa Pa", "commune", 35),
            UnitSpec("xa-bat-xat", "UBND xã Bát Xát", "commune", 28),
            UnitSpec("cty-che-shan", "Công ty TNHH Chè Shan Tuyết Lào Cai", "enterprise", 42),
            UnitSpec("htx-bao-thang", "Hợp tác xã Nông nghiệp Bảo Thắng", "cooperative", 19),
        ),
        annual_round="annual-2026",
        annual_awards=("bang_khen_tinh", "co_thi_dua_tinh"),
        review_round="midterm-2027",
        review_awards=("bang_khen_ttg", "bang_khen_ttg"),
        council_members=6,
    ),
)

FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô",
    "Lò", "Lường", "Cầm", "Quàng", "Giàng", "Sùng", "Vàng", "Hà", "Tòng", "Mai",
)  # fmt: skip
MIDDLE_F = ("Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Kim", "Phương")
MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Ngọc", "Công")
GIVEN_F = (
    "Lan", "Hoa", "Mai", "Hương", "Thảo", "Ngân", "Trang", "Hạnh", "Yến", "Dung",
    "Linh", "Nhung", "Phượng", "Vân", "Hằng", "Thúy",
)  # fmt: skip
GIVEN_M = (
    "Minh", "Hùng", "Sơn", "Nam", "Long", "Quang", "Dũng", "Tuấn", "Hải", "Thắng",
    "Bình", "Khánh", "Trung", "Phong", "Tiến", "Cường",
)  # fmt: skip

POSITIONS = {
    "school": ("Giáo viên", "Tổ trưởng chuyên môn", "Phó Hiệu trưởng", "Nhân viên văn thư"),
    "office": ("Chuyên viên", "Phó Trưởng phòng", "Chuyên viên chính"),
    "department": ("Chuyên viên", "Phó Giám đốc", "Trưởng phòng"),
    "commune": ("Công chức Văn phòng - Thống kê", "Phó Chủ tịch UBND xã", "Công chức Tư pháp"),
    "enterprise": ("Kỹ sư", "Trưởng phòng kỹ thuật", "Quản đốc"),
    "cooperative": ("Xã viên", "Phó Giám đốc HTX", "Kế toán"),
}

ACHIEVEMENTS = (
    "Xây dựng kho học liệu số dùng chung cho tổ chuyên môn",
    "Triển khai sổ điểm điện tử và học bạ số toàn đơn vị",
    "Số hóa 100 % hồ sơ công việc, xử lý văn bản trên môi trường mạng",
    "Mô hình phổ cập kỹ năng số cho phụ huynh và người dân",
    "Ứng dụng trí tuệ nhân tạo hỗ trợ soạn bài giảng",
    "Giải pháp tiết kiệm điện năng, lắp đặt điện mặt trời áp mái",
    "Tổ công nghệ số cộng đồng hỗ trợ dịch vụ công trực tuyến",
    "Chuyển đổi số quy trình sản xuất, truy xuất nguồn gốc sản phẩm",
)

INITIATIVES = (
    "Giải pháp quản lý thiết bị dạy học bằng mã QR",
    "Ứng dụng Google Classroom trong dạy học phân hóa",
    "Xây dựng phòng học STEM chi phí thấp",
    "Quy trình tiếp nhận hồ sơ một cửa điện tử",
    "Mô hình thư viện số trường học",
    "Giải pháp giám sát vườn chè bằng cảm biến IoT",
)

#: Comments people type at each step, so the audit log reads like a real one.
RETURN_REASONS = (
    "Thiếu bản sao giấy chứng nhận sáng kiến; đề nghị bổ sung.",
    "Báo cáo thành tích chưa có xác nhận của thủ trưởng đơn vị.",
    "Số liệu minh chứng chưa khớp với báo cáo tổng kết năm học.",
)
DECLINE_REASONS = (
    "Thành tích chưa nổi bật so với tiêu chí thi đua của phong trào.",
    "Không đủ minh chứng về kết quả chuyển đổi số của đơn vị.",
)
OPINIONS = (
    "Hồ sơ đầy đủ, thành tích tiêu biểu; đề nghị trình Hội đồng xét.",
    "Đạt các tiêu chí của phong trào; minh chứng rõ ràng.",
    "Đủ điều kiện; đề xuất Hội đồng xem xét khen thưởng.",
)
WITHDRAW_REASONS = (
    "Đơn vị rút hồ sơ để đề nghị ở đợt sau.",
    "Cá nhân chuyển công tác, đơn vị rút đề nghị.",
)
AUTHORITY_RETURN_REASONS = (
    "Đề nghị bổ sung biên bản họp Hội đồng có kết quả bỏ phiếu kín.",
    "Báo cáo thành tích chưa theo Mẫu số 05; đề nghị hoàn thiện.",
)
REFUSE_REASONS = ("Thành tích chưa đạt mức khen thưởng cấp Nhà nước theo quy định.",)
OVERRIDE_REASON = (
    "Hội đồng đã xem xét thành tích đột xuất năm 2026; cho phép đề nghị theo ý kiến "
    "của Thường trực Hội đồng."
)
