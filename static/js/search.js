// The search page's results, from the Pagefind index under /pagefind/ (built by `python build.py build`).
// Loaded by the search page alone; every string comes from the page (the gettext catalogues), in its language.
// Without this script, or before it runs, the page shows the form and links to every section.

const form = document.querySelector(".search-form");
const field = document.getElementById("search-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const help = document.getElementById("search-help");
const lang = document.documentElement.lang;
const PAGE = 10; // results shown at once; "Show more results" adds as many
const plurals = new Intl.PluralRules(lang);
const numbers = new Intl.NumberFormat(lang);

// Letters that Unicode does not decompose into a base letter and a mark; as in sitegen/output/search.py.
const UNFOLDED = {
  "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i", "ŀ": "l",
  "Ŀ": "L", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
};
const fold = (text) =>
  text.replace(/[łŁøØđĐħĦıŀĿæÆœŒßþÞðÐ]/g, (letter) => UNFOLDED[letter]).normalize("NFD")
    .replace(/\p{M}/gu, "").toLowerCase();

// Pagefind 1.5.2 takes the diacritics off a word before its stemmer sees it, so a Polish ending with one
// (-ów, -ą, -ę, -ość…) is never cut, and "klastrów" would find only words that begin with "klastrow". Pagefind
// matches a word by its beginning: searched without such an ending, "klastr" finds klastry, klastrami and
// klastrów, and klaster through the form the index adds (output/search.py). A word keeps 4 letters at least.
const ENDINGS = {
  pl: ["ościach", "ościami", "ością", "ości", "ość", "ącego", "ącemu", "ącymi", "ących", "ącej", "ącym", "ący",
    "ąca", "ące", "ów", "ań", "eń", "ią", "ię", "ą", "ę"],
};
const endings = ENDINGS[lang.split("-")[0]] ?? [];

function searchable(words) {
  return words.split(/\s+/).map((word) => {
    const lower = word.toLowerCase();
    const ending = endings.find((end) => lower.endsWith(end) && lower.length - end.length >= 4);
    return ending ? word.slice(0, word.length - ending.length) : word;
  }).join(" ");
}

let pagefind = null;
let latest = 0; // the number of the latest search: an answer to an older one is dropped
let shown = []; // the results of the current search, data loaded as they are shown
let query = "";

help.querySelector(".no-script").hidden = true;
help.hidden = true;

function say(text) {
  status.textContent = text;
}

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (all, name) => (name in values ? values[name] : all));
}

function count(n, words) {
  const category = plurals.select(n);
  const template = status.dataset["found" + category[0].toUpperCase() + category.slice(1)] ?? status.dataset.foundOther;
  return fill(template, { num: numbers.format(n), query: words });
}

async function load() {
  if (!pagefind) {
    pagefind = await import(status.dataset.bundle);
    await pagefind.options({ excerptLength: 24 });
    await pagefind.init();
  }
  return pagefind;
}

const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const HIDDEN = "⁂"; // where the words for the index alone begin (base.html): never shown

// An excerpt with the matches marked. Pagefind's, for a page without hidden words; else a stretch of the page's
// visible text around the first match: a word Pagefind matched (its locations count the words of data.content),
// or, when it matched only a hidden word ("bialystok" for "Białystok"), a word that matches once folded.
function excerpt(data, words) {
  const tokens = data.content.split(" ");
  const end = tokens.indexOf(HIDDEN);
  if (end < 0) return data.excerpt;
  const visible = tokens.slice(0, end);
  const found = new Set((data.locations ?? []).filter((at) => at < end));
  if (!found.size) {
    const stems = words.map((word) => fold(word)).filter(Boolean).map((word) => word.slice(0, 5));
    visible.forEach((token, at) => {
      const plain = fold(token).replace(/[^\p{L}\p{N}]/gu, "");
      if (plain && stems.some((stem) => plain.startsWith(stem))) found.add(at);
    });
  }
  const first = found.size ? Math.min(...found) : 0;
  const start = Math.max(0, first - 8);
  const shownTokens = visible.slice(start, start + 24).map((token, at) =>
    found.has(start + at) ? `<mark>${escape(token)}</mark>` : escape(token));
  return (start > 0 ? "… " : "") + shownTokens.join(" ") + (start + 24 < visible.length ? " …" : "");
}

function item(data, words) {
  const entry = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.meta.url || data.url;
  link.textContent = data.meta.title || link.href;
  heading.append(link);
  entry.append(heading);
  if (data.meta.kind) {
    const kind = document.createElement("p");
    kind.className = "kind";
    kind.textContent = data.meta.kind;
    entry.append(kind);
  }
  const text = document.createElement("p");
  text.className = "excerpt";
  text.innerHTML = excerpt(data, words); // Pagefind escapes the page's text; marked() does too
  entry.append(text);
  return entry;
}

async function showMore(number, words, focus) {
  const next = shown.slice(list.children.length, list.children.length + PAGE);
  const entries = (await Promise.all(next.map((result) => result.data()))).map((data) => item(data, words));
  if (number !== latest) return;
  list.append(...entries);
  more.hidden = list.children.length >= shown.length;
  if (focus && entries.length) entries[0].querySelector("a").focus();
}

async function search(words) {
  const number = ++latest;
  query = words.trim();
  if (!query) {
    list.replaceChildren();
    list.hidden = more.hidden = help.hidden = true;
    say("");
    return;
  }
  try {
    const found = await (await load()).search(searchable(query));
    if (number !== latest) return;
    shown = found.results;
    list.replaceChildren();
    const terms = query.split(/\s+/);
    await showMore(number, terms, false);
    if (number !== latest) return;
    list.hidden = shown.length === 0;
    help.hidden = shown.length > 0;
    help.querySelector(".no-results").hidden = shown.length > 0;
    say(shown.length ? count(shown.length, query) : fill(status.dataset.none, { query }));
  } catch (error) {
    if (number !== latest) return;
    list.hidden = more.hidden = true;
    help.hidden = false;
    say(status.dataset.failed);
    console.error(error);
  }
}

function remember(words) {
  const url = new URL(location.href);
  if (words.trim()) url.searchParams.set("q", words.trim());
  else url.searchParams.delete("q");
  history.replaceState(null, "", url);
}

let timer = null;
field.addEventListener("input", () => {
  clearTimeout(timer);
  if (pagefind) pagefind.preload(searchable(field.value));
  timer = setTimeout(() => {
    remember(field.value);
    search(field.value);
  }, 250);
});
field.addEventListener("focus", () => load().catch(() => {}), { once: true });
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  remember(field.value);
  search(field.value);
});
more.querySelector("button").addEventListener("click", () => showMore(latest, query.split(/\s+/), true));

const initial = new URLSearchParams(location.search).get("q") || "";
if (initial) {
  field.value = initial;
  search(initial);
}
