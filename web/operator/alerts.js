// The kiosk's alerts, as the agent evaluates them for a kiosk with no Prometheus (docs/alerts.md):
// each condition that holds now, with what it is about, the value, the usual over the last hours
// and since when; "all is normal" when none holds.
import { language, t } from "common/i18n.js";
import { element } from "staff/dom.js";
import * as format from "staff/format.js";

/** A signal's value in its own unit, in the page's language. */
function figure(signal, value) {
  switch (signal) {
    case "queue_depth":
      return t("alert_value_queue_depth", { value: new Intl.NumberFormat(language(), { maximumFractionDigits: 1 }).format(value) });
    case "render_p95":
      return new Intl.NumberFormat(language(), { style: "unit", unit: "second", unitDisplay: "short", maximumFractionDigits: 2 })
        .format(value);
    case "dead_letters":
      return t("alert_value_dead_letters", { value: new Intl.NumberFormat(language(), { maximumFractionDigits: 2 }).format(value) });
    case "print_success_ratio":
      return format.percent(value, 1);
    case "registry_staleness":
      return format.duration(value);
    default:
      return format.number(value);
  }
}

function baselineText(condition, alerts) {
  if (!condition.baseline) {
    return t("alert_no_baseline", { samples: format.number(alerts.baseline_minimum_samples) });
  }
  return t("alert_baseline", {
    window: format.duration(alerts.baseline_seconds),
    mean: figure(condition.signal, condition.baseline.mean),
    sigma: figure(condition.signal, condition.baseline.sigma),
    samples: format.number(condition.baseline.samples),
  });
}

function conditionCard(condition, alerts) {
  const firing = condition.state === "firing";
  const state = firing && condition.severity === "critical" ? "bad" : "warn";
  return element("li", { className: "card", dataset: { state, alert: condition.alert, phase: condition.state } },
    element("h3", { textContent: t(`signal_${condition.signal}`) }),
    element("p", { className: "big", textContent: t(`alert_${condition.state}_${condition.severity}`) }),
    element("p", { textContent: t("alert_now", { value: figure(condition.signal, condition.value) }) }),
    element("p", { textContent: baselineText(condition, alerts) }),
    element("p", {
      textContent: t(condition.direction === "below" ? "alert_floor_below" : "alert_floor_above", {
        floor: figure(condition.signal, condition.floor),
      }),
    }),
    element("p", {
      textContent: firing
        ? t("alert_firing_since", { since: format.time(condition.since), firing: format.time(condition.firing_since) })
        : t("alert_pending_since", { since: format.time(condition.since), duration: format.duration(condition.for_seconds) }),
    }));
}

/** Draws the conditions into `list`; `empty` says all is normal when there are none. */
export function renderAlerts(alerts, list, empty, note) {
  const conditions = alerts.conditions ?? [];
  list.replaceChildren(...conditions.map((condition) => conditionCard(condition, alerts)));
  list.hidden = conditions.length === 0;
  empty.hidden = conditions.length !== 0;
  note.textContent = alerts.evaluated_at
    ? t("alerts_evaluated", { time: format.time(alerts.evaluated_at), interval: format.duration(alerts.interval_seconds) })
    : t("alerts_not_yet");
}
