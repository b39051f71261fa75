"""The demo hall: a district government service center (区政务服务中心), seeded only into an
empty database."""
from __future__ import annotations

import json
import secrets

from werkzeug.security import generate_password_hash

from queue_server import auth, demo_guidance
from queue_server.store.db import Database, Tx

HALL = {"id": "demo", "name": "示范区政务服务中心", "name_en": "Demo District Service Center",
        "tz": "Asia/Shanghai", "open_s": 9 * 3600, "close_s": 17 * 3600 + 30 * 60,
        "notices": json.dumps(["请提前准备好身份证原件及相关材料",
                               "70周岁以上老人、残疾人、孕妇等可取优先号",
                               "办事结束后请对本次服务进行评价（好差评）"], ensure_ascii=False)}

# id, name, English name, prefix
CATEGORIES = [
    ("biz", "商事登记", "Business registration", "A"),
    ("tax", "税务", "Taxation", "B"),
    ("social", "社保医保", "Social & medical insurance", "C"),
    ("fund", "公积金", "Housing provident fund", "D"),
    ("estate", "不动产", "Real estate", "E"),
    ("hukou", "户籍", "Household registration", "F"),
    ("project", "投资项目与建设工程", "Investment & construction", "G"),
    ("permit", "卫生与交通许可", "Health & transport permits", "H"),
    ("civil", "民政", "Civil affairs", "J"),
]

ID_CARD = "申请人身份证原件"
# id, category, name, English name, mean service s, wait limit s, materials
SERVICES = [
    ("biz-setup", "biz", "企业设立登记", "Company registration", 900, 1800,
     [ID_CARD, "公司登记（备案）申请书", "公司章程", "住所使用证明", "法定代表人任职文件"]),
    ("biz-change", "biz", "企业变更登记", "Company change registration", 600, 1800,
     [ID_CARD, "变更登记申请书", "股东会决议", "营业执照正副本"]),
    ("tax-invoice", "tax", "发票申领与税务登记", "Invoices & tax registration", 420, 1500,
     [ID_CARD, "营业执照副本", "税控设备（如有）", "经办人授权委托书"]),
    ("social-ins", "social", "社保参保登记", "Social insurance enrolment", 360, 1500,
     [ID_CARD, "劳动合同或用工证明", "社保登记表"]),
    ("medical", "social", "医保报销与异地备案", "Medical claims & transfer", 480, 1500,
     [ID_CARD, "社会保障卡", "医疗费用发票原件", "费用明细清单", "出院小结"]),
    ("fund", "fund", "公积金提取", "Provident fund withdrawal", 420, 1800,
     [ID_CARD, "银行卡", "购房合同或租房证明", "婚姻状况证明"]),
    ("estate", "estate", "不动产登记", "Real estate registration", 1080, 2400,
     [ID_CARD, "不动产权证书", "买卖合同", "完税凭证", "婚姻状况证明"]),
    ("hukou", "hukou", "户籍证明与迁移", "Household registration", 300, 1200,
     [ID_CARD, "户口簿", "迁入地准迁证明（迁移时）"]),
    ("project", "project", "投资项目审批", "Investment project approval", 1200, 2400,
     [ID_CARD, "项目申请报告", "用地预审意见", "环评批复文件"]),
    ("build", "project", "建设工程施工许可", "Construction permit", 960, 2400,
     [ID_CARD, "施工许可申请表", "建设工程规划许可证", "施工合同", "安全生产承诺书"]),
    ("health", "permit", "公共场所卫生许可", "Public venue health permit", 540, 1800,
     [ID_CARD, "卫生许可申请书", "营业执照", "从业人员健康证明", "场所平面图"]),
    ("transport", "permit", "道路运输经营许可", "Road transport licence", 600, 1800,
     [ID_CARD, "道路运输经营申请表", "车辆行驶证", "驾驶员从业资格证"]),
    ("civil", "civil", "低保与社会救助", "Social assistance", 720, 1800,
     [ID_CARD, "户口簿", "家庭收入证明", "救助申请书"]),
]

# The same materials in plain English (services.materials_en), one entry per Chinese item.
MATERIALS_EN = {
    ID_CARD: "Original ID card of the applicant",
    "公司登记（备案）申请书": "Company registration (filing) application form",
    "公司章程": "Articles of association",
    "住所使用证明": "Proof of the right to use the business premises",
    "法定代表人任职文件": "Appointment document of the legal representative",
    "变更登记申请书": "Change registration application form",
    "股东会决议": "Resolution of the shareholders' meeting",
    "营业执照正副本": "Business licence (original and duplicate)",
    "营业执照副本": "Duplicate of the business licence",
    "税控设备（如有）": "Tax control device (if any)",
    "经办人授权委托书": "Letter of authorisation for the person handling the matter",
    "劳动合同或用工证明": "Employment contract or proof of employment",
    "社保登记表": "Social insurance registration form",
    "社会保障卡": "Social security card",
    "医疗费用发票原件": "Original invoices of the medical expenses",
    "费用明细清单": "Itemised list of the expenses",
    "出院小结": "Hospital discharge summary",
    "银行卡": "Bank card",
    "购房合同或租房证明": "Home purchase contract or proof of renting",
    "婚姻状况证明": "Proof of marital status",
    "不动产权证书": "Real estate title certificate",
    "买卖合同": "Sale and purchase contract",
    "完税凭证": "Tax payment receipt",
    "户口簿": "Household register (hukou booklet)",
    "迁入地准迁证明（迁移时）": "Move-in permit from the new place of residence (when moving)",
    "项目申请报告": "Project application report",
    "用地预审意见": "Land use pre-examination opinion",
    "环评批复文件": "Approval of the environmental impact assessment",
    "施工许可申请表": "Construction permit application form",
    "建设工程规划许可证": "Construction project planning permit",
    "施工合同": "Construction contract",
    "安全生产承诺书": "Work safety commitment letter",
    "卫生许可申请书": "Health permit application form",
    "营业执照": "Business licence",
    "从业人员健康证明": "Health certificates of the staff",
    "场所平面图": "Floor plan of the premises",
    "道路运输经营申请表": "Road transport business application form",
    "车辆行驶证": "Vehicle registration certificate",
    "驾驶员从业资格证": "Drivers' professional qualification certificates",
    "家庭收入证明": "Proof of household income",
    "救助申请书": "Application for social assistance",
}

# Twenty comprehensive windows: each a primary skill, a couple of secondary ones; window 20 the
# all-round "综合窗口" for the rare services; 18-19 in zone B (second floor).
_W = [
    (["biz-setup"], ["biz-change"]), (["biz-setup"], ["biz-change", "tax-invoice"]),
    (["biz-change"], ["biz-setup"]), (["tax-invoice"], ["biz-change"]),
    (["tax-invoice"], ["social-ins"]), (["social-ins"], ["medical"]),
    (["social-ins", "medical"], ["fund"]), (["medical"], ["social-ins"]),
    (["fund"], ["medical"]), (["fund"], ["estate"]), (["estate"], ["fund"]),
    (["estate"], []), (["hukou"], ["civil"]), (["hukou"], ["social-ins"]),
    (["project"], ["build"]), (["build"], ["project"]), (["health"], ["transport"]),
    (["transport"], ["health"]), (["civil"], ["hukou"]),
    (["civil", "project", "health", "transport"], ["biz-setup", "hukou", "estate"]),
]


def empty(db: Database) -> bool:
    """No hall and no account yet: the only database the demo is seeded into."""
    return not (db.one("SELECT 1 FROM halls LIMIT 1") or db.one("SELECT 1 FROM users LIMIT 1"))


def seed(db: Database, password: str | None = None,
         hash_method: str = "scrypt") -> str | None:
    """Seed the demo hall if the database is empty; returns the generated password, if any."""
    if not empty(db):
        return None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(9)

    # One hash for the demo users who share one password (a hash costs ~0.1 s by design).
    hashed = generate_password_hash(password, method=hash_method)

    def _seed(tx: Tx) -> None:
        tx.run("INSERT INTO halls (id, name, name_en, tz, open_s, close_s, notices, live_seq)"
               " VALUES (:id, :name, :name_en, :tz, :open_s, :close_s, :notices, 0)", HALL)
        for i, (cid, name, en, prefix) in enumerate(CATEGORIES):
            tx.run("INSERT INTO categories (id, hall, name, name_en, prefix, sort)"
                   " VALUES (?, 'demo', ?, ?, ?, ?)", (cid, name, en, prefix, i))
        for i, (sid, cat, name, en, mean, limit, materials) in enumerate(SERVICES):
            tx.run("INSERT INTO services (id, hall, category, name, name_en, mean_service_s,"
                   " materials, materials_en, wait_limit_s, active, sort) VALUES (?, 'demo', ?,"
                   " ?, ?, ?, ?, ?, ?, 1, ?)",
                   (sid, cat, name, en, mean, json.dumps(materials, ensure_ascii=False),
                    json.dumps([MATERIALS_EN[m] for m in materials]), limit, i))
        # 办理超时: each service's norm at the window, three times its mean service time
        tx.run("UPDATE services SET service_limit_s = CAST(3 * mean_service_s AS INTEGER)"
               " WHERE hall = 'demo'")
        for i, (primary, secondary) in enumerate(_W, start=1):
            wid = f"W{i:02d}"
            tx.run("INSERT INTO windows (id, hall, name, name_en, zone, status, sort)"
                   " VALUES (?, 'demo', ?, ?, ?, 'closed', ?)",
                   (wid, f"{i}号窗口", f"Window {i}", "B" if i in (18, 19) else "A", i))
            for s in primary:
                tx.run("INSERT INTO skills VALUES (?, ?, 1.0)", (wid, s))
            for s in secondary:
                tx.run("INSERT INTO skills VALUES (?, ?, 0.5)", (wid, s))
        demo_guidance.seed(tx)  # keywords, guided questions, the 出件 service
        # The demo's staff belong to the demo hall (a hall added later has its own).
        auth.create_user(tx, "manager", "manager", password, "大厅主任", "M001", hashed,
                         hall="demo")
        for i in range(1, 13):
            auth.create_user(tx, f"clerk{i:02d}", "clerk", password, f"工作人员{i:02d}",
                             f"G{i:03d}", hashed, hall="demo")
        tx.audit("demo", "seed_demo", detail={"services": len(SERVICES), "windows": len(_W)})

    db.write("system", _seed)
    return generated
