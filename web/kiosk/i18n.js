// Message catalogs (messages/<language>.json, one file a translator edits per language) and the
// page's language and direction.

/** The languages the kiosk offers, each named in itself. */
export const languages = [
  ["en", "English"], ["de", "Deutsch"], ["fr", "Français"], ["es", "Español"],
  ["pt", "Português"], ["ar", "العربية"], ["ja", "日本語"], ["zh", "中文"],
];

const rightToLeft = new Set(["ar"]);
const assetURLs = JSON.parse(document.getElementById("asset-map").textContent);
const catalogs = new Map();
let current = "en";

async function catalog(language) {
  if (!catalogs.has(language)) {
    const response = await fetch(assetURLs[`messages/${language}.json`]);
    catalogs.set(language, await response.json());
  }
  return catalogs.get(language);
}

/** The kiosk's language for a BCP 47 tag (`pt-BR` -> `pt`, `zh-Hans-CN` -> `zh`), or null. */
export function supported(tag) {
  if (!tag) return null;
  const language = tag.toLowerCase().split(/[-_]/)[0];
  return languages.some(([code]) => code === language) ? language : null;
}

export function language() { return current; }

/** The message `key` in the current language, English where a catalog lacks it. */
export function t(key) {
  return catalogs.get(current)?.[key] ?? catalogs.get("en")?.[key] ?? key;
}

/** Switches the page's language and direction and relabels every `[data-i18n]` element. */
export async function setLanguage(code) {
  await catalog("en");
  await catalog(code);
  current = code;
  document.documentElement.lang = code;
  document.documentElement.dir = rightToLeft.has(code) ? "rtl" : "ltr";
  document.title = t("title");
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}
