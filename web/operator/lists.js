// The operator's lists: jobs waiting for a review decision, dead letters, the newest jobs and the
// latest check-ins, each a table whose rows carry the actions the API takes. An action button
// names its subject for a screen reader ("Reprint job 12, Ada Lovelace") and has a
// `data-focus-key`, so the refresh every two seconds keeps the keyboard's place.
import { t } from "common/i18n.js";
import { cell, element, fillRows } from "staff/dom.js";
import * as format from "staff/format.js";

const part = (id) => document.getElementById(id);

/** A button for `action` on `id`, its visible text `key`, its accessible name `labelKey`. */
function action(kind, id, key, labelKey, values, extra = {}) {
  return element("button", {
    type: "button", textContent: t(key, values),
    dataset: { action: kind, id: String(id), focusKey: `${kind}-${extra.decision ?? extra.printer ?? ""}-${id}`, ...extra },
    attributes: { "aria-label": t(labelKey, values) },
  });
}

function who(job) {
  return job.attendee_name ?? job.attendee_id ?? "—";
}

function jobNumber(job) {
  const number = `#${job.id}`;
  return job.reprint_of ? element("span", {}, number, " ", element("small", { textContent: t("reprint_of", { id: job.reprint_of }) }))
    : number;
}

/** An error code that may break after its dots and underscores, never inside a word. */
function code(text) {
  return element("code", {}, ...text.split(/(?<=[._])/).flatMap((part) => [part, element("wbr")]));
}

function stateBadge(state) {
  return element("span", { className: "state", dataset: { state }, textContent: t(`state_${state}`) });
}

/** Why a job is in review, from what the worker recorded. */
function why(job) {
  const diagnostic = job.diagnostic ?? {};
  const conditions = typeof diagnostic.status === "string" ? diagnostic.status.split(",").filter(Boolean)
    : Array.isArray(diagnostic.conditions) ? diagnostic.conditions : [];
  const parts = [job.last_error ?? diagnostic.last_error, ...conditions.map((name) => t(`condition_${name}`))];
  return parts.filter(Boolean).join(" · ");
}

export function renderReview(jobs) {
  fillRows(part("review-rows"), part("review-empty"), jobs, (job) => {
    const values = { id: job.id, name: who(job) };
    const buttons = [["printed", "decide_printed"], ["reprint", "decide_reprint"], ["dismissed", "decide_dismissed"]]
      .map(([decision, key]) => action("decide", job.id, key, `${key}_label`, values, { decision }));
    return [
      cell(jobNumber(job)), cell(who(job)), cell(job.printer), cell(format.time(job.updated_at)), cell(why(job)),
      cell(element("div", { className: "buttons", attributes: { role: "group", "aria-label": t("decision_group", values) } }, ...buttons)),
    ];
  });
}

export function renderDeadLetters(letters) {
  fillRows(part("dead-letter-rows"), part("dead-letters-empty"), letters, (letter) => [
    cell(`${letter.id}`), cell(format.dateTime(letter.created_at)), cell(code(letter.code)),
    cell(letter.reason), cell(action("replay", letter.id, "replay", "replay_label", { id: letter.id })),
  ]);
}

/** What an operator can do with a job in its state: reprint a printed one; cancel a queued one or
 * move it to another printer of the box or a destination of its chain. */
function jobActions(job, printers) {
  const values = { id: job.id, name: who(job) };
  if (job.state === "printed") return action("reprint", job.id, "reprint", "reprint_label", values);
  if (job.state !== "queued") return "";
  const moves = printers.filter((printer) => printer !== job.printer).map((printer) =>
    action("move", job.id, "move_to", "move_label", { ...values, printer }, { printer }));
  return element("div", { className: "buttons" }, action("cancel", job.id, "cancel_job", "cancel_label", values), ...moves);
}

export function renderJobs(jobs, printers = []) {
  fillRows(part("job-rows"), part("jobs-empty"), jobs, (job) => [
    cell(jobNumber(job)), cell(who(job)), cell(stateBadge(job.state)), cell(job.printer), cell(format.time(job.queued_at)),
    cell(format.time(job.sent_at)), cell(format.time(job.printed_at)), cell(jobActions(job, printers)),
  ]);
}

/** Badges past their deadline with nowhere left to go: cancel or move them by hand. */
export function renderOverdue(jobs, places = []) {
  fillRows(part("overdue-rows"), part("overdue-empty"), jobs, (job) => [
    cell(jobNumber(job)), cell(who(job)), cell(stateBadge(job.state)), cell(job.printer), cell(format.time(job.queued_at)),
    cell(jobActions(job, places)),
  ]);
}

export function renderCheckIns(checkIns) {
  fillRows(part("check-in-rows"), part("check-ins-empty"), checkIns, (checkIn) => [
    cell(format.time(checkIn.scanned_at)), cell(checkIn.attendee_name ?? checkIn.attendee_id), cell(checkIn.kiosk_id),
  ]);
}
