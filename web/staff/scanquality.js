// The scan-quality loop as the staff pages show it (docs/agent.md "Scan quality"): per printer,
// the reads in the current window by template version and kind, the failure rate against the
// threshold, and the adjustments the agent made. The operator's page only shows them; the
// technician's page adds Keep and Revert to an adjustment awaiting review.
import { t } from "common/i18n.js";
import { cell, element } from "staff/dom.js";
import * as format from "staff/format.js";

const kinds = ["success", "unverified", "garbled", "unparseable"];

function countCells(counts) {
  return [...kinds.map((kind) => cell(format.number(counts[kind]))), cell(format.percent(counts.failure_rate, 1))];
}

/** "QR module raised from 5 to 6 dots", "Darkness raised from 20 to 21", "Nothing left to raise". */
export function describeChange(adjustment) {
  const from = adjustment.change === "qr_module" ? adjustment.module_dots ?? adjustment.from : adjustment.from;
  return t(`sq_change_${adjustment.change}`, { from: from ?? "–", to: adjustment.to ?? "–" });
}

function describe(adjustment) {
  const text = t("sq_adjustment", {
    change: describeChange(adjustment), failures: adjustment.failures, scans: adjustment.scans,
    rate: format.percent(adjustment.failure_rate, 1), template: adjustment.template_version ?? t("sq_template_unknown"),
    time: format.dateTime(adjustment.recorded_at),
  });
  const level = adjustment.qr_downgraded_from
    ? ` ${t("sq_level", { from: adjustment.qr_downgraded_from, to: adjustment.qr_level })}` : "";
  return text + level;
}

/**
 * One printer's block: a heading (below `level`), the window's summary, the table of reads by
 * template version, and its adjustments. `actions(adjustment)` gives the controls for one awaiting
 * review (none on the operator's page).
 */
export function printerBlock(view, printer, { level = 3, actions = () => [] } = {}) {
  const id = `sq-${printer.printer.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const heading = element(`h${level}`, { id: `${id}-heading`, textContent: t("sq_printer", { printer: printer.printer }) });
  const counts = printer.counts;
  const summary = element("p", {
    className: counts.failure_rate > view.failure_threshold && counts.total >= view.minimum_scans ? "alert" : "",
    textContent: counts.total
      ? t("sq_window", {
        time: format.time(printer.window_started_at), failures: counts.failures, total: counts.total,
        rate: format.percent(counts.failure_rate, 1),
      })
      : t("sq_empty"),
  });
  const block = element("article", { className: "scan-quality", dataset: { printer: printer.printer, failureRate: String(counts.failure_rate) },
    attributes: { "aria-labelledby": heading.id } }, heading, summary);
  if (printer.templates.length) {
    const head = element("tr", {}, element("th", { scope: "col", textContent: t("sq_col_template") }),
      ...kinds.map((kind) => element("th", { scope: "col", textContent: t(`sq_kind_${kind}`) })),
      element("th", { scope: "col", textContent: t("sq_col_failed") }));
    const rows = printer.templates.map((group) => element("tr", {},
      element("th", { scope: "row", textContent: group.template_version ?? t("sq_template_unknown") }), ...countCells(group.counts)));
    const total = element("tr", {}, element("th", { scope: "row", textContent: t("sq_total") }), ...countCells(counts));
    block.append(element("table", {},
      element("caption", { className: "visually-hidden", textContent: t("sq_caption", { printer: printer.printer }) }),
      element("thead", {}, head), element("tbody", {}, ...rows, total)));
  }
  const pending = element("ul", { className: "adjustments" }, ...printer.pending.map((adjustment) =>
    element("li", { dataset: { adjustment: String(adjustment.id), change: adjustment.change } },
      element("span", { textContent: describe(adjustment) }), ...actions(adjustment))));
  block.append(element(`h${level + 1}`, { textContent: t("sq_pending_heading") }),
    printer.pending.length ? pending : element("p", { className: "empty", textContent: t("sq_no_pending") }));
  const decided = printer.adjustments.filter((adjustment) => adjustment.status !== "pending");
  if (decided.length) {
    block.append(element(`h${level + 1}`, { textContent: t("sq_history_heading") }), element("ul", { className: "adjustments" },
      ...decided.map((adjustment) => element("li", { dataset: { adjustment: String(adjustment.id), status: adjustment.status } },
        `${describe(adjustment)} ${t(`sq_status_${adjustment.status}`, { who: adjustment.reviewed_by ?? "" })}`))));
  }
  return block;
}

/** The settings the loop works with, in words. */
export function rule(view) {
  if (!view.enabled) return t("sq_off");
  return t("sq_rule", {
    threshold: format.percent(view.failure_threshold, 1), minimum: view.minimum_scans, minutes: Math.round(view.window_seconds / 60),
  });
}
