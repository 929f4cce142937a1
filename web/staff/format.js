// Times, sizes and ratios as a member of staff reads them, in the page's language.
import { language } from "common/i18n.js";

/** "14:03:07" for an ISO-8601 instant (the box's clock and time zone); "" for none. */
export function time(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(language(), { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(iso));
}

/** "14:00" for an ISO-8601 instant: chart axes. */
export function clock(iso) {
  return new Intl.DateTimeFormat(language(), { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

/** "12 Sep, 14:03" for an ISO-8601 instant. */
export function dateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(language(), { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })
    .format(new Date(iso));
}

/** "3.2 GB" (decimal units, as disks are sold). */
export function bytes(count) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"];
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(language(), { style: "unit", unit: units[unit], unitDisplay: "short", maximumFractionDigits: 1 })
    .format(value);
}

/** "97 %" for 0.97, in the language's own way of writing it. */
export function percent(ratio, digits = 0) {
  return new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: digits }).format(ratio);
}

export function number(value) {
  return new Intl.NumberFormat(language()).format(value);
}

/** "5 minutes" for 300 seconds: the largest whole unit. */
export function duration(seconds) {
  const [value, unit] = seconds >= 86400 ? [seconds / 86400, "day"] : seconds >= 3600 ? [seconds / 3600, "hour"]
    : seconds >= 60 ? [seconds / 60, "minute"] : [seconds, "second"];
  return new Intl.NumberFormat(language(), { style: "unit", unit, unitDisplay: "long", maximumFractionDigits: 0 })
    .format(Math.floor(value));
}
