/* The site's files as the generator reads them, taught to Decap CMS (README, "The browser editor").
 *
 * Pages: YAML front matter between two '---' lines, then the Markdown text. Data files: a list of records,
 * edited as one list field; the comment lines above the first record are kept. Values are written as
 * PyYAML, which the generator reads them with, reads them back: 'yes', 'no', 'on' and 'off' stay text
 * (quoted), a date stays a date (YYYY-MM-DD, unquoted). A value per language is written with every language
 * ("" where one has none), and as one plain value when every language has the same. Empty values are
 * left out, as if never typed.
 *
 * The page's JSON block #site-editor (made by the build) names the languages, the front matter keys in
 * order and, per data collection, its fields' names in order and the fields that hold a value per language.
 */
(function () {
  'use strict';

  // PyYAML's YAML 1.1 with two differences from js-yaml's: y and n are text, and dates are not read as
  // timestamps, so '2011-06-02' goes back as it came.
  function pyyamlSchema(jsyaml) {
    const TRUE = ['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'];
    const FALSE = ['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'];
    const bool = jsyaml.defineScalarTag('tag:yaml.org,2002:bool', {
      implicit: true,
      implicitFirstChars: ['y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O'],
      resolve: (source) =>
        TRUE.includes(source) ? true : FALSE.includes(source) ? false : jsyaml.NOT_RESOLVED,
      identify: (value) => typeof value === 'boolean',
      represent: (value) => (value ? 'true' : 'false'),
    });
    const tags = jsyaml.YAML11_SCHEMA.tags
      .filter((tag) => tag !== jsyaml.timestampTag)
      .map((tag) => (tag.tagName === 'tag:yaml.org,2002:bool' ? bool : tag));
    return new jsyaml.Schema(tags);
  }

  function formats(jsyaml, site) {
    const schema = pyyamlSchema(jsyaml);
    const languages = site.languages;
    const load = (text) => jsyaml.load(text, { schema });
    // Block style, but a short mapping or list of plain values from the given depth on one line, as the
    // site's files are written by hand: {pl: Saragossa, en: Zaragoza}, {project: smegonet, role: lead}.
    const dump = (value, depth) =>
      jsyaml.dump(value, {
        schema,
        lineWidth: -1,
        noRefs: true,
        transform: (documents) =>
          jsyaml.visit(documents, (node, context) => {
            if (context.depth < depth || (node.kind !== 'mapping' && node.kind !== 'sequence')) return;
            const parts = node.kind === 'mapping' ? node.items.flatMap((item) => [item.key, item.value]) : node.items;
            if (!parts.every((part) => part.kind === 'scalar')) return;
            if (parts.reduce((sum, part) => sum + part.value.length + 2, 0) <= 72) {
              node.style = jsyaml.COLLECTION_STYLE_FLOW;
            }
          }),
      });

    const isMapping = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
    const isLocalized = (value) =>
      isMapping(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => languages.includes(k));
    const isEmpty = (value) =>
      value === undefined ||
      value === null ||
      value === '' ||
      (Array.isArray(value) && value.length === 0) ||
      (isMapping(value) && Object.keys(value).length === 0);

    // Empty values left out of mappings, at any depth; a value per language keeps its "" as the site asks.
    function clean(value) {
      if (Array.isArray(value)) return value.map(clean);
      if (!isMapping(value) || isLocalized(value)) return value;
      const kept = {};
      for (const [key, item] of Object.entries(value)) {
        const cleaned = clean(item);
        if (!isEmpty(cleaned)) kept[key] = cleaned;
      }
      return kept;
    }

    // Keys in the order of the editor's fields (Decap CMS keeps no order in a record of many fields).
    function ordered(value, order) {
      if (Array.isArray(value)) return value.map((item) => ordered(item, order));
      if (!isMapping(value)) return value;
      const rank = (key) => (order.includes(key) ? order.indexOf(key) : order.length);
      const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b));
      return Object.fromEntries(keys.map((key) => [key, ordered(value[key], order)]));
    }

    // f applied to every value at a dotted path of records, lists walked into at every step.
    function mapAt(value, steps, f) {
      if (Array.isArray(value)) return value.map((item) => mapAt(item, steps, f));
      if (steps.length === 0) return f(value);
      if (!isMapping(value) || !(steps[0] in value)) return value;
      return { ...value, [steps[0]]: mapAt(value[steps[0]], steps.slice(1), f) };
    }

    // A plain value serves every language: the editor shows it in each language's box.
    const expand = (value) =>
      value === null || isMapping(value) ? value : Object.fromEntries(languages.map((code) => [code, value]));

    function complete(value) {
      if (!isMapping(value)) return value;
      const full = Object.fromEntries(languages.map((code) => [code, value[code] == null ? '' : value[code]]));
      const values = Object.values(full);
      return values.every((v) => v === values[0]) ? values[0] : full;
    }

    const page = {
      fromFile(text) {
        const opening = /^---[ \t]*(?:\r?\n|$)/.exec(text);
        if (!opening) return { body: text };
        const rest = text.slice(opening[0].length);
        const closing = /^---[ \t]*$/m.exec(rest);
        if (!closing) return { body: text };
        const meta = load(rest.slice(0, closing.index)) || {};
        const body = rest.slice(closing.index + closing[0].length).replace(/^\r?\n/, '');
        return { ...meta, body };
      },
      toFile(data) {
        const { body, ...meta } = data;
        const front = clean(ordered(meta, site.frontMatter));
        const text = body || '';
        return `---\n${Object.keys(front).length ? dump(front, 1) : ''}---\n${text && !text.endsWith('\n') ? text + '\n' : text}`;
      },
    };

    function records({ localized, order }) {
      return {
        fromFile(text) {
          let list = load(text) || [];
          for (const path of localized) list = mapAt(list, path.split('.'), expand);
          const comments = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*/.exec(text)[0];
          return { [site.records]: list, [site.comments]: comments };
        },
        toFile(data) {
          let list = data[site.records] || [];
          for (const path of localized) list = mapAt(list, path.split('.'), complete);
          list = ordered(clean(list), order);
          // A blank line between records, as the files are written by hand.
          return (data[site.comments] || '') + (list.length ? list.map((r) => dump([r], 2)).join('\n') : '[]\n');
        },
      };
    }

    return { page, records };
  }

  if (typeof window !== 'undefined') {
    window.CMS_MANUAL_INIT = true; // this file loads before Decap CMS, which then waits for init() below
    window.addEventListener('DOMContentLoaded', () => {
      const site = JSON.parse(document.getElementById('site-editor').textContent);
      const made = formats(window.jsyaml, site);
      window.CMS.registerCustomFormat('site-page', 'md', made.page);
      for (const [name, collection] of Object.entries(site.collections)) {
        window.CMS.registerCustomFormat(`site-records-${name}`, 'yaml', made.records(collection));
      }
      window.CMS.init();
    });
  }
  if (typeof module !== 'undefined') module.exports = { formats };
})();
