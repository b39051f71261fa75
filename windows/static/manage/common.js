/* Manager console: shared strings and helpers. Uses HallQ.i18n / HallQ.api (read-only). */
(function () {
  "use strict";
  const HallQ = window.HallQ;
  const M = (HallQ.manage = {});
  const main = document.getElementById("main");
  M.hall = main ? main.dataset.hall : null;
  M.lang = HallQ.i18n.lang;

  HallQ.i18n.add({
    zh: {
      console: "管理控制台", console_login: "管理控制台登录", username: "用户名", password: "密码",
      sign_in: "登录", sign_out: "退出登录", denied: "无权访问管理控制台",
      denied_detail: "管理控制台仅限大厅管理人员使用。",
      denied_other_hall: "该账号属于其他大厅，不能管理本大厅。",
      page_monitor: "监控", page_skills: "技能矩阵", page_stats: "统计报表", page_audit: "审计日志",
      page_settings: "大厅设置", page_advice: "排班建议",
      saved: "已保存", window: "窗口", service: "业务", status: "状态", clerk: "工作人员",
      current: "当前票号", time_on: "办理时长", waiting: "等候", longest: "最长等候",
      limit: "时限", over: "超时", issued: "取号", served: "办结", no_show: "过号",
      cancelled: "取消", mean_wait: "平均等候", p90_wait: "P90 等候", mean_service: "平均办理",
      rating: "满意度", ratings: "评价", open: "开启", pause: "暂停", close: "关闭",
      st_open: "服务中", st_paused: "暂停", st_closed: "关闭", none: "无", primary: "主办",
      secondary: "协办", overdue: "超时预警", overdue_none: "暂无超时票号",
      setup_title: "开始设置本大厅",
      setup_steps: "1. 在「大厅设置」中添加业务类别（票号前缀）、业务事项和窗口；2. 在「技能矩阵」中为每个窗口分配主办、协办业务；3. 工作人员即可在窗口终端登录、开窗叫号，取号机随即显示可取号业务。",
      setup_go: "前往大厅设置", skills_empty: "还没有窗口或业务事项：请先在「大厅设置」中添加。",
      hints: "调度建议", today: "今日", minutes_short: "{n} 分", busy: "忙碌时长",
      hour: "时段", date: "日期", from: "从", to: "至", query: "查询", export_csv: "导出 CSV",
      export_xlsx: "导出 Excel", actor: "操作人", action: "操作", ticket: "票号", time: "时间",
      detail: "详情", more: "加载更多", copy_from: "复制自", set_column: "整列设为",
      apply: "应用", weight: "权重", name: "名称", zone: "区域", prefix: "前缀",
      category: "类别", mean_service_s: "平均办理秒数", wait_limit_s: "等候时限(秒)",
      materials: "材料(每行一项)", materials_en: "英文材料(每行一项)", active: "启用",
      role: "角色", display_name: "姓名",
      staff_no: "工号", add: "新增", save: "保存", notices: "大厅公告(每行一条)",
      hours: "开放时间", windows: "窗口", services: "业务事项", categories: "业务类别",
      users: "用户", new_password: "新密码", by_clerk: "按工作人员", by_window: "按窗口",
      by_service: "按业务", by_hour: "按时段", by_day: "按日期", wait_alert: "超时预警",
      waited: "已等候", skills_hint: "点击单元格切换：无 → 协办 → 主办；也可直接输入权重。",
      advice_title: "基于本大厅历史数据的技能调整建议", max_changes: "最多调整",
      history_days: "历史天数", compute: "计算建议", before: "调整前", after: "调整后",
      mean_wait_s: "平均等候", p95_wait_s: "P95 等候", apply_advice: "一键应用",
      no_changes: "当前矩阵已是最佳，无需调整", applied: "已应用并记录审计",
      advice_unavailable: "排班建议模块暂不可用", from_w: "原", to_w: "新",
      dur_unit: "（分:秒）", code_id: "编号", name_en: "英文名称", sort: "排序",
      role_clerk: "窗口工作人员", role_manager: "大厅主任", role_admin: "系统管理员",
      all_halls: "全部大厅",
      advice_basis: "根据 {date} 的 {n} 张票据计算，最多调整 {k} 项，用时 {s} 秒",
    },
    en: {
      console: "Manager console", console_login: "Manager console sign-in", username: "Username",
      password: "Password", sign_in: "Sign in", sign_out: "Sign out",
      denied: "Not allowed", denied_detail: "The console is for hall managers only.",
      denied_other_hall: "This account belongs to another hall and cannot manage this one.",
      page_monitor: "Monitor", page_skills: "Skills", page_stats: "Statistics",
      page_audit: "Audit", page_settings: "Settings", page_advice: "Advice",
      saved: "Saved", window: "Window", service: "Service", status: "Status", clerk: "Clerk",
      current: "Current", time_on: "Time on it", waiting: "Waiting", longest: "Longest wait",
      limit: "Limit", over: "Over", issued: "Issued", served: "Served", no_show: "No-show",
      cancelled: "Cancelled", mean_wait: "Mean wait", p90_wait: "P90 wait",
      mean_service: "Mean service", rating: "Rating", ratings: "Ratings", open: "Open",
      pause: "Pause", close: "Close", st_open: "Open", st_paused: "Paused", st_closed: "Closed",
      none: "none", primary: "primary", secondary: "secondary", overdue: "Over wait limit",
      overdue_none: "No ticket over its limit", hints: "Rebalancing hints", today: "Today",
      setup_title: "Set up this hall",
      setup_steps: "1. In Settings, add categories (ticket prefixes), services and windows; 2. in Skills, give each window its primary and secondary services; 3. clerks can then sign in at the clerk terminal and call, and the kiosk offers the services.",
      setup_go: "Go to settings", skills_empty: "No windows or services yet: add them in Settings first.",
      minutes_short: "{n} min", busy: "Busy", hour: "Hour", date: "Date", from: "From",
      to: "To", query: "Search", export_csv: "Export CSV", export_xlsx: "Export Excel",
      actor: "Actor", action: "Action", ticket: "Ticket", time: "Time", detail: "Detail",
      more: "Load more", copy_from: "Copy from", set_column: "Set column", apply: "Apply",
      weight: "Weight", name: "Name", zone: "Zone", prefix: "Prefix", category: "Category",
      mean_service_s: "Mean service (s)", wait_limit_s: "Wait limit (s)",
      materials: "Materials (one per line)", materials_en: "Materials in English (one per line)",
      active: "Active", role: "Role",
      display_name: "Name", staff_no: "Staff no.", add: "Add", save: "Save",
      notices: "Hall notices (one per line)", hours: "Opening hours", windows: "Windows",
      services: "Services", categories: "Categories", users: "Users",
      new_password: "New password", by_clerk: "By clerk", by_window: "By window",
      by_service: "By service", by_hour: "By hour", by_day: "By day", wait_alert: "Wait alert",
      waited: "waited", skills_hint: "Click a cell: none → secondary → primary; or type a weight.",
      advice_title: "Skill changes advised from this hall's history", max_changes: "Max changes",
      history_days: "History days", compute: "Compute advice", before: "Before", after: "After",
      mean_wait_s: "Mean wait", p95_wait_s: "P95 wait", apply_advice: "Apply",
      no_changes: "The current matrix is already best", applied: "Applied and audited",
      advice_unavailable: "The advisor is not available", from_w: "from", to_w: "to",
      dur_unit: " (m:ss)", code_id: "ID", name_en: "English name", sort: "Order",
      role_clerk: "Clerk", role_manager: "Manager", role_admin: "Administrator",
      all_halls: "All halls",
      advice_basis: "Computed from the {n} tickets of {date}, at most {k} changes, in {s} s",
    },
  });

  M.t = HallQ.i18n.t;
  M.pick = HallQ.i18n.pick;
  M.api = HallQ.api;

  /** Element builder: el("td", {class: "x", text: "y"}, child...). */
  M.el = function (tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k in e && k !== "list") e[k] = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined)
      e.append(c instanceof Node ? c : String(c));
    return e;
  };

  /** Seconds as "12:05" (or h:mm:ss); null as "—". */
  M.dur = (s) => (s === null || s === undefined ? "—" : HallQ.i18n.clock(s));
  M.num = (x, d = 1) => (x === null || x === undefined ? "—" : Number(x).toFixed(d));

  let toastTimer = null;
  M.toast = function (msg, kind) {
    const t = document.getElementById("toast");
    if (!t) return;
    t.textContent = msg;
    t.className = "toast" + (kind ? " " + kind : "");
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (t.hidden = true), kind === "error" ? 8000 : 3000);
  };
  M.fail = (e) => M.toast(e.message || String(e), "error");

  /** Today in the hall (the server's date is authoritative; the browser's is a first guess). */
  M.today = () => {
    const d = new Date(Date.now() + 8 * 3600 * 1000); // Asia/Shanghai, the default zone
    return d.toISOString().slice(0, 10);
  };

  function init() {
    HallQ.i18n.apply();
    document.querySelectorAll("[data-hall-name]").forEach(
      (e) => (e.textContent = M.lang === "en" ? e.dataset.en : e.dataset.zh));
    document.querySelectorAll(".manage-nav a").forEach((a) => (a.href = HallQ.i18n.href(a.getAttribute("href"))));
    const sw = document.getElementById("lang-switch");
    if (sw) {
      const u = new URL(location.href);
      if (M.lang === "en") { u.searchParams.delete("lang"); sw.textContent = "中文"; }
      else u.searchParams.set("lang", "en");
      sw.href = u.toString();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
