// dom.js - building the page without markup strings.
//
// el(tag, attrs, children) makes an element; children are nodes, strings
// (set as text, never parsed as HTML) or arrays of them.  No page uses
// innerHTML, so nothing a message contains can become markup or script.
// UI text must come from the catalogue (i18n.js t()); tests/browser/
// i18n_check.mjs refuses literal words in these modules.

export function el(tag, attrs, children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else if (k === 'checked') e.checked = !!v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  append(e, children);
  return e;
}

export function append(e, children) {
  if (children === null || children === undefined || children === false) return e;
  if (Array.isArray(children)) {
    for (const c of children) append(e, c);
  } else if (children instanceof Node) {
    e.appendChild(children);
  } else {
    e.appendChild(document.createTextNode(String(children)));
  }
  return e;
}

export function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs, children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  }
  if (children) {
    for (const c of [].concat(children)) {
      if (c === null || c === undefined) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  return e;
}
