/* The finder: narrows a list in place with the filters of a form, keeps the chosen filters in the address
   (?name=value: a filtered view can be shared and bookmarked, and back and forward return to it), and says how
   many entries and groups remain, in the page's language and plural forms, in a live region.

   The page gives (templates/partners.html):
   - <form data-finder="ID" hidden> around native <select name="..."> filters, the list being the element ID;
   - on each entry of the list, data-facets='[{"name": "value", ...}, ...]': the entry shows when one of its
     combinations has every chosen value;
   - data-group on each group of entries, hidden when none of its entries shows;
   - data-count="entries" or "groups" with data-plural='{"one": "%(num)d ...", "few": ...}' on the elements that
     say a count: inside a group its entries, elsewhere the whole list's; the forms by Intl.PluralRules category;
   - data-finder-empty on what to show when nothing matches.
   Without this script the form stays hidden and the whole list shows. */
(() => {
  "use strict";
  const form = document.querySelector("form[data-finder]");
  const list = form && document.getElementById(form.dataset.finder);
  if (!list || typeof Intl === "undefined" || !Intl.PluralRules) return;

  const rules = new Intl.PluralRules(document.documentElement.lang);
  const filters = [...form.querySelectorAll("select[name]")];
  const entries = [...list.querySelectorAll("[data-facets]")].map((element) => ({
    element,
    facets: JSON.parse(element.dataset.facets),
  }));
  const groups = [...list.querySelectorAll("[data-group]")];
  const totals = [...document.querySelectorAll("[data-count]")].filter((element) => !list.contains(element));
  const empty = document.querySelector("[data-finder-empty]");

  const chosen = () => filters.filter((select) => select.value).map((select) => [select.name, select.value]);
  const matches = (facets, wanted) =>
    facets.some((facet) => wanted.every(([name, value]) => String(facet[name]) === value));

  function say(elements, kind, count) {
    for (const element of elements) {
      if (element.dataset.count !== kind) continue;
      const forms = JSON.parse(element.dataset.plural);
      const text = (forms[rules.select(count)] || forms.other || "").replace("%(num)d", String(count));
      if (element.textContent !== text) element.textContent = text;
    }
  }

  function apply() {
    const wanted = chosen();
    let shown = 0;
    for (const entry of entries) {
      entry.element.hidden = !matches(entry.facets, wanted);
      if (!entry.element.hidden) shown += 1;
    }
    let groupsShown = 0;
    for (const group of groups) {
      const count = group.querySelectorAll("[data-facets]:not([hidden])").length;
      group.hidden = count === 0;
      if (count) groupsShown += 1;
      say(group.querySelectorAll("[data-count]"), "entries", count);
    }
    say(totals, "entries", shown);
    say(totals, "groups", groupsShown);
    if (empty) empty.hidden = shown > 0;
  }

  function fromAddress() {
    const params = new URLSearchParams(location.search);
    for (const select of filters) {
      const value = params.get(select.name) || "";
      select.value = [...select.options].some((option) => option.value === value) ? value : "";
    }
    apply();
  }

  function toAddress() {
    const params = new URLSearchParams(location.search);
    for (const select of filters) {
      if (select.value) params.set(select.name, select.value);
      else params.delete(select.name);
    }
    const query = params.toString();
    const address = location.pathname + (query ? `?${query}` : "") + location.hash;
    if (address !== location.pathname + location.search + location.hash) history.pushState(null, "", address);
  }

  form.addEventListener("change", () => {
    toAddress();
    apply();
  });
  form.addEventListener("reset", () =>
    setTimeout(() => {
      toAddress();
      apply();
    }),
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  window.addEventListener("popstate", fromAddress);
  fromAddress();
  form.hidden = false;
})();
