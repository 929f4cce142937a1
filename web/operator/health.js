// The kiosk's health: each printer (out of order, as the kiosk page shows it to attendees, when
// its state stops printing or it cannot be reached), the registry metadata's age, the disk and
// the queue.
import { t } from "common/i18n.js";
import { element } from "staff/dom.js";
import * as format from "staff/format.js";

/** The data directory's free share below which the disk card warns. */
const lowDiskPercent = 10;
/** Worker activities in which no badge can print, besides the printer's own conditions. */
const stoppedActivities = { disconnected: "offline", breaker_open: "breaker_open" };

/** Why each printer cannot print now (message keys), for every printer that cannot. */
export function outOfOrder(health) {
  const reasons = new Map();
  for (const printer of health.printers) {
    const conditions = (health.readiness.not_ready?.[printer.id] ?? []).filter((reason) => reason !== "starting");
    const stopped = stoppedActivities[printer.activity];
    const all = [...conditions, ...(stopped ? [stopped] : [])];
    if (all.length) reasons.set(printer.id, all);
  }
  return reasons;
}

const conditionText = (name) => t(`condition_${name}`);

function card(key, state, ...lines) {
  return element("li", { className: "card", dataset: { state } },
    element("h3", { textContent: t(key) }),
    ...lines.map((line) => element("p", { textContent: line })));
}

export function renderHealth(health, list, banner) {
  const stopped = outOfOrder(health);
  const cards = health.printers.map((printer) => {
    const reasons = stopped.get(printer.id);
    const state = reasons ? "bad" : "good";
    return element("li", { className: "card", dataset: { state, printer: printer.id } },
      element("h3", { textContent: t("printer_card", { id: printer.id }) }),
      element("p", { className: "big", textContent: reasons ? t("out_of_order") : t("printer_ready") }),
      reasons ? element("p", { textContent: reasons.map(conditionText).join(", ") }) : null,
      element("p", { textContent: t("printer_activity", { activity: t(`activity_${printer.activity}`) }) }),
      element("p", { textContent: t("printer_queue", { count: format.number(printer.queue_depth) }) }));
  });
  const registry = health.registry;
  cards.push(registry.enabled
    ? card("registry_card", registry.stale ? "warn" : "good",
      t(`freshness_${registry.freshness ?? "unknown"}`),
      registry.age_seconds === undefined ? t("registry_never") : t("registry_age", { age: format.duration(registry.age_seconds) }))
    : card("registry_card", "good", t("registry_off")));
  const disk = health.disk;
  cards.push(disk
    ? card("disk_card", disk.free_percent < lowDiskPercent ? "warn" : "good", t("disk_free", {
      free: format.bytes(disk.free_bytes), total: format.bytes(disk.total_bytes), percent: format.percent(disk.free_percent / 100),
    }))
    : card("disk_card", "warn", t("disk_unknown")));
  cards.push(card("queue_card", "good", t("printer_queue", { count: format.number(health.queue_depth) })));
  if (health.simulated_printer) cards.push(card("simulator_card", "warn", t("simulator_detail")));
  list.replaceChildren(...cards);

  banner.hidden = stopped.size === 0;
  banner.textContent = [...stopped].map(([id, reasons]) => t("out_of_order_banner", { id, reasons: reasons.map(conditionText).join(", ") }))
    .join(" ");
}
