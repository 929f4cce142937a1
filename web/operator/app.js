// The operator's page: what the kiosk printed and why something did not, live. The overview is
// read every two seconds while the page is on screen (none while it is hidden); a section is
// redrawn only when its figures changed. Reprints and review decisions ask for a reason, which
// the audit trail keeps beside who signed in.
import { language, t } from "common/i18n.js";
import { askReason } from "staff/dialog.js";
import * as format from "staff/format.js";
import { onLanguageChange, signedIn, startStaffPage } from "staff/shell.js";
import * as api from "operator/api.js";
import { renderAlerts } from "operator/alerts.js";
import { renderCharts } from "operator/charts.js";
import { renderHealth } from "operator/health.js";
import { renderCheckIns, renderDeadLetters, renderJobs, renderOverdue, renderReview } from "operator/lists.js";
import { startScanQuality } from "operator/scanquality.js";

const pollMs = 2000;
const part = (id) => document.getElementById(id);
const hours = part("hours");
const drawn = new Map();
let latest = null;
let timer = 0;
let polling = false;
/** A poll asked for while one was on its way (the hours changed): made as soon as it returns. */
let pollAgain = false;

/** Draws a section again only when what it shows changed (or the language did). */
function section(name, data, draw) {
  const key = language() + JSON.stringify(data);
  if (drawn.get(name) === key) return;
  draw(data);
  drawn.set(name, key);
}

function draw(overview) {
  latest = overview;
  section("health", overview.health, (health) => renderHealth(health, part("health-cards"), part("out-of-order")));
  section("alerts", overview.alerts, (alerts) => renderAlerts(alerts, part("alert-list"), part("alerts-empty"), part("alerts-note")));
  section("review", overview.manual_review, renderReview);
  section("dead-letters", overview.dead_letters, renderDeadLetters);
  const places = [...overview.health.printers.map((printer) => printer.id), ...(overview.destinations ?? []).map((place) => place.id)];
  section("overdue", { jobs: overview.overdue ?? [], places }, ({ jobs, places }) => renderOverdue(jobs, places));
  section("jobs", { jobs: overview.jobs, printers: places }, ({ jobs, printers }) => renderJobs(jobs, printers));
  section("check-ins", overview.check_ins, renderCheckIns);
  section("charts", overview.series, (series) =>
    renderCharts(series, { throughput: part("throughput"), success: part("success"), table: part("series") }));
  part("updated").textContent = t("updated_at", { time: format.time(overview.generated_at) });
  document.body.dataset.updated = overview.generated_at;
}

function schedule() {
  clearTimeout(timer);
  if (document.visibilityState === "visible") timer = setTimeout(poll, pollMs);
}

async function poll() {
  clearTimeout(timer);
  if (document.visibilityState !== "visible") return;
  if (polling) {
    pollAgain = true;
    return;
  }
  polling = true;
  pollAgain = false;
  let answer;
  try {
    answer = await api.overview(hours.value);
  } catch {
    answer = { status: 0 };
  }
  polling = false;
  if (answer.status === 401) {
    await signedIn();
    return poll();
  }
  try {
    if (answer.status === 200) draw(answer.body);
    else part("updated").textContent = t("unreachable", { time: latest ? format.time(latest.generated_at) : "—" });
  } catch (error) {
    console.error("the overview could not be drawn", error);
  } finally {
    // A section that fails to draw must not end the page's polling; a poll asked for meanwhile
    // (the hours changed) is made now, with what was asked, not two seconds later.
    if (pollAgain) poll();
    else schedule();
  }
}

/** The answer to the last action, kept to be said again in another language. */
let said = null;

function say(key, values) {
  said = { key, values };
  part("action-status").textContent = t(key, values);
}

/** What the agent said when it refused an action, in the page's words where there are some. */
function refusal(answer) {
  const code = answer.body?.error?.code ?? "";
  const known = {
    "store.already_replayed": "refused_already_replayed", "store.invalid_transition": "refused_already_decided",
    "store.job_not_finished": "refused_not_finished", "agent.forbidden": "refused_forbidden",
  };
  return known[code] ? t(known[code]) : t("refused", { message: answer.body?.error?.message ?? String(answer.status) });
}

async function reprint(id) {
  const job = latest?.jobs.find((candidate) => candidate.id === id);
  const reason = await askReason({
    title: t("reprint_title", { id }), detail: t("reprint_detail", { name: job?.attendee_name ?? job?.attendee_id ?? "" }),
    confirm: t("reprint_confirm"),
  });
  if (reason === null) return;
  const answer = await api.reprint(id, reason);
  if (answer.status === 200 || answer.status === 202) say("reprint_done", { id, job: answer.body.id });
  else say("action_failed", { why: refusal(answer) });
}

async function cancelJob(id) {
  const job = latest?.jobs.find((candidate) => candidate.id === id);
  const reason = await askReason({
    title: t("cancel_title", { id }), detail: t("cancel_detail", { name: job ? who(job) : "" }), confirm: t("cancel_confirm"),
  });
  if (reason === null) return;
  const answer = await api.cancel(id, reason);
  say(answer.status === 200 ? "cancel_done" : "action_failed", { id, why: refusal(answer) });
}

async function moveJob(id, printer) {
  const job = latest?.jobs.find((candidate) => candidate.id === id);
  const reason = await askReason({
    title: t("move_title", { id, printer }), detail: t("move_detail", { name: job ? who(job) : "", printer }),
    confirm: t("move_confirm"),
  });
  if (reason === null) return;
  const answer = await api.move(id, printer, reason);
  say(answer.status === 200 ? "move_done" : "action_failed", { id, printer, why: refusal(answer) });
}

function who(job) {
  return job.attendee_name ?? job.attendee_id ?? "";
}

async function replay(id) {
  const answer = await api.replay(id);
  if (answer.status === 200 || answer.status === 202) say("replay_done", { id, job: answer.body.id });
  else if (answer.status === 422) say("replay_rejected", { id, code: answer.body?.error?.code ?? "" });
  else say("action_failed", { why: refusal(answer) });
}

async function decide(id, decision) {
  const reason = await askReason({
    title: t(`decide_${decision}_title`, { id }), detail: t(`decide_${decision}_detail`), confirm: t(`decide_${decision}`),
  });
  if (reason === null) return;
  const answer = await api.decide(id, decision, reason);
  if (answer.status === 200) {
    say(answer.body.reprint ? "decided_reprint" : "decided", { id, decision: t(`decision_${decision}`), job: answer.body.reprint?.id });
  } else {
    say("action_failed", { why: refusal(answer) });
  }
}

async function onAction(event) {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const id = Number(button.dataset.id);
  try {
    if (button.dataset.action === "reprint") await reprint(id);
    else if (button.dataset.action === "cancel") await cancelJob(id);
    else if (button.dataset.action === "move") await moveJob(id, button.dataset.printer);
    else if (button.dataset.action === "decide") await decide(id, button.dataset.decision);
    else if (button.dataset.action === "replay") {
      button.disabled = true;
      await replay(id);
    }
  } catch {
    say("action_failed", { why: t("unreachable_short") });
  }
  button.disabled = false;
  await poll();
  // The row acted on may be gone (a decided review, a replayed letter): the answer keeps the focus.
  if (!document.activeElement || document.activeElement === document.body) part("action-status").focus();
}

async function start() {
  await startStaffPage({ role: "operator", catalog: "operator" });
  part("staff-content").addEventListener("click", onAction);
  hours.addEventListener("change", () => poll());
  onLanguageChange(() => {
    drawn.clear();
    if (latest) draw(latest);
    if (said) say(said.key, said.values);
  });
  document.addEventListener("visibilitychange", () => (document.visibilityState === "visible" ? poll() : clearTimeout(timer)));
  await poll();
  startScanQuality();
  document.body.dataset.ready = "true";
  // For the page benchmark (Benchmarks/kiosk_page.py): navigation -> the page live with its data.
  performance.mark("lanyard:ready");
}

start();
