// Two small charts from the overview's series, drawn as inline SVG (no library, nothing from
// elsewhere): badges printed per bucket as bars, the print success ratio as a line with a gap
// where no job ended. Each has a visible one-line summary it is labelled by, and one table,
// read by screen readers, gives every bucket's figures.
import { t } from "common/i18n.js";
import { element } from "staff/dom.js";
import * as format from "staff/format.js";

const svgNS = "http://www.w3.org/2000/svg";
const size = { width: 640, height: 200, left: 52, right: 12, top: 12, bottom: 32 };
const plot = { width: size.width - size.left - size.right, height: size.height - size.top - size.bottom };

function svg(name, attributes = {}, ...children) {
  const node = document.createElementNS(svgNS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  node.append(...children);
  return node;
}

/** The smallest of 4, 10, 20, 40, 100, 200... at or above `value`: a count axis whose middle is whole. */
function niceMaximum(value) {
  for (let step = 1; ; step *= 10) {
    for (const factor of [2, 4, 10]) if (step * factor >= Math.max(4, value)) return step * factor;
  }
}

/** The frame both charts share: horizontal grid lines with their labels, and the time axis. */
function frame(id, buckets, ticks, label) {
  const band = plot.width / buckets.length;
  const every = Math.max(1, Math.round(buckets.length / 6));
  const grid = ticks.map(([value, text]) => {
    const y = size.top + plot.height * (1 - value);
    return svg("g", {},
      svg("line", { class: "grid", x1: size.left, x2: size.width - size.right, y1: y, y2: y }),
      svg("text", { class: "axis", x: size.left - 6, y: y + 4, "text-anchor": "end" }, text));
  });
  const times = buckets.filter((_, index) => index % every === 0).map((bucket, index) =>
    svg("text", { class: "axis", x: size.left + band * index * every, y: size.height - 10, "text-anchor": "start" },
      format.clock(bucket.start)));
  return svg("svg", {
    viewBox: `0 0 ${size.width} ${size.height}`, role: "img", "aria-labelledby": `${id}-title ${id}-summary`,
    direction: "ltr", "data-label": label,
  }, ...grid, ...times);
}

function figure(container, id, titleKey, summary, chart) {
  container.replaceChildren(
    element("figcaption", { id: `${id}-title`, textContent: t(titleKey, { minutes: container.dataset.minutes }) }),
    chart,
    element("p", { id: `${id}-summary`, className: "chart-summary", textContent: summary }));
}

function drawThroughput(container, series) {
  const buckets = series.buckets;
  const top = niceMaximum(Math.max(...buckets.map((bucket) => bucket.printed)));
  const chart = frame("throughput", buckets, [[0, "0"], [0.5, format.number(top / 2)], [1, format.number(top)]], "throughput");
  const band = plot.width / buckets.length;
  buckets.forEach((bucket, index) => {
    if (!bucket.printed) return;
    const height = plot.height * bucket.printed / top;
    chart.append(svg("rect", {
      class: "bar", x: size.left + band * index + band * 0.1, width: band * 0.8,
      y: size.top + plot.height - height, height,
    }));
  });
  const busiest = buckets.reduce((best, bucket) => (bucket.printed > best.printed ? bucket : best), buckets[0]);
  const summary = series.total.printed
    ? t("throughput_summary", {
      count: format.number(series.total.printed), hours: series.hours, minutes: series.bucket_seconds / 60,
      most: format.number(busiest.printed), at: format.clock(busiest.start),
    })
    : t("throughput_none", { hours: series.hours });
  figure(container, "throughput", "throughput_title", summary, chart);
}

function drawSuccess(container, series) {
  const buckets = series.buckets;
  const chart = frame("success", buckets,
    [[0, format.percent(0)], [0.5, format.percent(0.5)], [1, format.percent(1)]], "success");
  const band = plot.width / buckets.length;
  let path = "";
  let drawing = false;
  buckets.forEach((bucket, index) => {
    if (bucket.success_ratio === undefined) {
      drawing = false;
      return;
    }
    const x = size.left + band * (index + 0.5);
    const y = size.top + plot.height * (1 - bucket.success_ratio);
    path += `${drawing ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)} `;
    drawing = true;
    chart.append(svg("circle", { class: "point", cx: x, cy: y, r: 3.5 }));
  });
  if (path) chart.append(svg("path", { class: "line", d: path.trim() }));
  const total = series.total;
  const summary = total.success_ratio === undefined
    ? t("success_none", { hours: series.hours })
    : t("success_summary", {
      ratio: format.percent(total.success_ratio, 1), hours: series.hours, printed: format.number(total.printed),
      dead: format.number(total.dead_lettered), review: format.number(total.manual_review),
    });
  figure(container, "success", "success_title", summary, chart);
}

/** Every bucket's figures as a table, for a screen reader: what the charts show, in words. */
function drawTable(container, series) {
  const rows = series.buckets.map((bucket) => element("tr", {},
    element("th", { scope: "row", textContent: format.clock(bucket.start) }),
    element("td", { textContent: format.number(bucket.printed) }),
    element("td", { textContent: format.number(bucket.dead_lettered) }),
    element("td", { textContent: format.number(bucket.manual_review) }),
    element("td", { textContent: bucket.success_ratio === undefined ? "—" : format.percent(bucket.success_ratio, 1) })));
  const head = element("tr", {}, ...["col_from", "col_printed_count", "col_dead_count", "col_review_count", "col_ratio"]
    .map((key) => element("th", { scope: "col", textContent: t(key) })));
  container.replaceChildren(element("table", { className: "visually-hidden", id: "series-table" },
    element("caption", { textContent: t("series_caption", { minutes: series.bucket_seconds / 60, hours: series.hours }) }),
    element("thead", {}, head), element("tbody", {}, ...rows)));
}

export function renderCharts(series, { throughput, success, table }) {
  for (const container of [throughput, success]) container.dataset.minutes = String(series.bucket_seconds / 60);
  drawThroughput(throughput, series);
  drawSuccess(success, series);
  drawTable(table, series);
}
