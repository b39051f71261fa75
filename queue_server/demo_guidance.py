"""The demo hall's guidance (智能引导) and cases (办件) data: the words citizens use for each
service, the guided questions where services are easy to confuse, and the collection
(出件) service with its window; seeded with the demo hall (``demo.seed``)."""
from __future__ import annotations

import json

from queue_server.domain import guide_flows
from queue_server.store.db import Tx

# what citizens say, per service (keywords and synonyms; pinyin and initials come by themselves)
KEYWORDS = {
    "biz-setup": ["开公司", "注册公司", "公司注册", "办营业执照", "新办企业", "个体户", "开店"],
    "biz-change": ["公司变更", "变更法人", "换法人", "公司改名", "变更地址", "增资", "股权变更"],
    "tax-invoice": ["领发票", "开发票", "税务登记", "报税", "税控盘", "发票"],
    "social-ins": ["交社保", "参保", "社保开户", "养老保险", "五险", "社保"],
    "medical": ["报销", "医药费报销", "看病报销", "异地就医", "医保备案", "医保"],
    "fund": ["gjj", "公积金", "取公积金", "提公积金", "住房公积金"],
    "estate": ["房产证", "过户", "买房", "不动产证", "抵押登记", "房本"],
    "hukou": ["户口", "迁户口", "落户", "户口本", "户籍证明", "开证明"],
    "project": ["立项", "项目备案", "可研批复", "项目审批"],
    "build": ["施工许可证", "开工", "工地", "施工证"],
    "health": ["卫生许可证", "开饭店", "美容店", "宾馆", "健康证"],
    "transport": ["货运", "运输证", "道路运输证", "营运证", "跑运输"],
    "civil": ["低保", "救助", "困难补助", "特困", "救济"],
    "pickup": ["取证", "领证", "出件", "拿证", "领取证照", "领执照"],
}

# the collection service (出件): a category and service of its own, window 20 takes it
PICKUP_CATEGORY = ("pickup", "出件", "Collection", "L")  # 领
PICKUP = ("pickup", "pickup", "出件（证照领取）", "Collect documents", 180, 1200,
          ["申请人身份证原件", "受理通知书或办件回执"],
          ["Original ID card of the applicant", "Acceptance notice or case receipt"])
PICKUP_WINDOWS = {"W20": 1.0}


def _q(question: str, question_en: str, *options: dict) -> dict:
    return {"question": question, "question_en": question_en, "options": list(options)}


def _o(label: str, label_en: str, to: str | dict) -> dict:
    return {"label": label, "label_en": label_en,
            **({"service": to} if isinstance(to, str) else {"next": to})}


FLOWS = {
    "biz": _q("您的企业是第一次登记，还是已经有营业执照？",
              "Is it a first registration, or do you already have a business licence?",
              _o("第一次登记（新开公司、个体户）", "First time (a new company)", "biz-setup"),
              _o("已有执照，变更登记信息", "Licence held: change its details", "biz-change"),
              _o("领发票、办税务", "Invoices and tax", "tax-invoice")),
    "social": _q("您是以个人身份，还是以单位（企业）身份办理？",
                 "Are you here for yourself, or for an employer?",
                 _o("个人", "For myself", _q(
                     "您要办理哪一项？", "What do you need?",
                     _o("看病费用报销", "Claim medical costs", "medical"),
                     _o("异地就医备案", "Register treatment elsewhere", "medical"),
                     _o("第一次参保或续保", "Enrol in social insurance", "social-ins"))),
                 _o("单位（企业）", "For an employer", _q(
                     "单位要办理哪一项？", "What does the employer need?",
                     _o("为职工参保登记", "Enrol employees", "social-ins"),
                     _o("职工医疗费用报销", "Employees' medical claims", "medical")))),
    "hukou": _q("您要办理什么？", "What do you need?",
                _o("开户籍证明", "A household registration certificate", "hukou"),
                _o("迁户口、落户", "Move a household registration", "hukou"),
                _o("生活困难，申请救助", "Hardship: apply for assistance", "civil")),
    "project": _q("您的项目现在处于哪个阶段？", "Where is your project now?",
                  _o("还没立项", "Not yet approved", "project"),
                  _o("已批准，准备开工", "Approved: about to build", "build")),
    "estate": _q("买房、卖房后要办什么？", "What do you need after buying or selling a home?",
                 _o("办房产证、过户", "Title certificate or transfer", "estate"),
                 _o("提取公积金", "Withdraw the provident fund", "fund")),
}


def seed(tx: Tx, hall: str = "demo") -> None:
    """Keywords, flows and the collection service into the freshly seeded demo hall."""
    cid, name, name_en, prefix = PICKUP_CATEGORY
    sort = tx.one("SELECT COALESCE(MAX(sort), 0) + 1 FROM categories WHERE hall = ?",
                  (hall,))[0]
    tx.run("INSERT INTO categories (id, hall, name, name_en, prefix, sort) VALUES"
           " (?, ?, ?, ?, ?, ?)", (cid, hall, name, name_en, prefix, sort))
    sid, cat, sname, sname_en, mean, limit, materials, materials_en = PICKUP
    ssort = tx.one("SELECT COALESCE(MAX(sort), 0) + 1 FROM services WHERE hall = ?",
                   (hall,))[0]
    tx.run("INSERT INTO services (id, hall, category, name, name_en, mean_service_s, materials,"
           " materials_en, wait_limit_s, active, sort, service_limit_s) VALUES"
           " (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
           (sid, hall, cat, sname, sname_en, mean, json.dumps(materials, ensure_ascii=False),
            json.dumps(materials_en), limit, ssort, 3 * mean))
    for window, weight in PICKUP_WINDOWS.items():
        tx.run("INSERT INTO skills (window, service, weight) VALUES (?, ?, ?)",
               (window, sid, weight))
    tx.run("UPDATE halls SET collect_service = ? WHERE id = ?", (sid, hall))
    for service, words in KEYWORDS.items():
        tx.run("UPDATE services SET keywords = ? WHERE id = ? AND hall = ?",
               (json.dumps(words, ensure_ascii=False), service, hall))
    for category, flow in FLOWS.items():  # audited once, as part of the demo's seeding
        assert guide_flows.shape_ok(flow), category
        tx.run("INSERT INTO guide_flows (hall, category, flow, updated_at) VALUES"
               " (?, ?, ?, ?)", (hall, category, json.dumps(flow, ensure_ascii=False), tx.now))
