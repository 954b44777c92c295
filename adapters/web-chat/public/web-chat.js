// The web chat renders the bot's messages and sends events back. The server sends rich texts already
// parsed into lines of nodes (adapters/web-chat/web-message.ts) and every other text as plain text, so
// this page never parses markup and never uses innerHTML: everything becomes elements with textContent.
const log = document.getElementById('log');
const picker = document.getElementById('identity');
const composer = document.getElementById('composer');
const input = document.getElementById('text');
const sendButton = document.getElementById('send');
const signInPanel = document.getElementById('sign-in');
const signInForm = document.getElementById('sign-in-form');
const codeInput = document.getElementById('code');
const signInError = document.getElementById('sign-in-error');
const account = document.getElementById('account');
const languagePicker = document.getElementById('language');
// 'demo': the page picks who it is (local demo only); 'sign-in': the session cookie decides, nothing else.
let access = 'demo';
let identity = '';
let texts = {};
let pollTimer;
/** The highest history seq this page has shown: polls ask only for what is newer or replaced. */
let lastSeq = '0';
let inboxPausedShown = false;

/**
 * The words the page needs when the server does not answer, in every language, from the catalogue: the
 * server writes them into the page as a JSON data block (never run as script).
 */
const pageData = (() => {
  try { return JSON.parse(document.getElementById('page-data')?.textContent ?? '{}'); } catch { return {}; }
})();

/** The offline words in the page's language: the one chosen here, else the one the page is shown in. */
function offlineTexts() {
  const all = pageData.texts ?? {};
  return all[pageLanguage()] ?? all[document.documentElement.lang] ?? all[pageData.language] ?? all.en ?? {};
}

/** Texts from the server's catalogue (locales/<lang>/web.json), else the page's offline ones; the HTML's English is the last fallback. */
function text(key, name) {
  const value = texts[key] ?? offlineTexts()[key];
  return typeof value === 'string' ? value.replace('{{name}}', name ?? '') : undefined;
}

function setText(id, value) {
  if (value) document.getElementById(id).textContent = value;
}

/** The language this browser chose on the page (kept here); the server falls back to the browser's. */
function pageLanguage() {
  return localStorage.getItem('cb-language') ?? '';
}

/** Fetches the session and the page's texts in the page's language (or `language`), and shows them. */
async function loadSession(language) {
  const lang = language ?? pageLanguage();
  const res = await fetch(`web/session${lang ? `?lang=${encodeURIComponent(lang)}` : ''}`, { credentials: 'same-origin' });
  const state = await res.json();
  access = state.access;
  texts = state.texts ?? {};
  document.documentElement.lang = state.language ?? 'en';
  fillLanguages(state.languages ?? [], state.language);
  setText('language-label', text('language'));
  return state;
}

function fillLanguages(languages, current) {
  if (!languages.length) return;
  languagePicker.replaceChildren(...languages.map((l) => {
    const option = document.createElement('option');
    option.value = l.code;
    option.textContent = l.name;
    option.lang = l.code;
    return option;
  }));
  languagePicker.value = current;
}

/**
 * Choosing a language on the page: the page's own texts follow at once, and whoever is talking (a demo
 * identity, a signed-in person) makes it their language with `/lc language`, so the bot's replies and
 * later messages come in it too.
 */
languagePicker.addEventListener('change', async () => {
  const code = languagePicker.value;
  localStorage.setItem('cb-language', code);
  await loadSession();
  applyTexts();
  if ((access === 'demo' && identity) || (access === 'sign-in' && !account.hidden)) await send({ type: 'typed', text: `/lc language ${code}` }, undefined, `/lc language ${code}`);
});

function applyTexts() {
  setText('language-label', text('language'));
  setText('subtitle', text('subtitle'));
  // The tab's title too (what the browser's tab and history show).
  if (text('subtitle')) document.title = `Cluster Bot · ${text('subtitle')}`;
  setText('talk-as', text('talkAs'));
  setText('pick-identity', text('pickIdentity'));
  setText('sign-out', texts.signOut);
  setText('sign-out-everywhere', texts.signOutEverywhere);
  if (text('messagePlaceholder')) input.placeholder = text('messagePlaceholder');
  if (text('message')) input.setAttribute('aria-label', text('message'));
  setText('send', text('send'));
  if (access === 'sign-in') fillSignIn(texts.signIn ?? {});
}

async function start() {
  const state = await loadSession();
  applyTexts();
  if (access === 'demo') {
    document.getElementById('demo-picker').hidden = false;
    return loadIdentities();
  }
  if (state.signedIn) signedIn(state.signedIn.name);
  else showSignIn();
}

function fillSignIn(t) {
  setText('sign-in-title', t.title);
  const intro = document.getElementById('sign-in-intro');
  if (t.intro) { intro.replaceChildren(); appendText(intro, t.intro); }
  const steps = document.getElementById('sign-in-steps');
  steps.replaceChildren();
  for (const step of t.steps ?? []) { const li = el('li'); appendText(li, step); steps.append(li); }
  setText('code-label', t.codeLabel);
  setText('sign-in-submit', t.submit);
  setText('sign-in-stay', t.stay);
  setText('sign-in-warning', t.warning);
}

/** The sign-in panel replaces the chat; `message` says why (signed out, sign-in ended). */
function showSignIn(message) {
  clearInterval(pollTimer);
  account.hidden = true;
  account.open = false;
  log.hidden = true;
  composer.hidden = true;
  input.disabled = sendButton.disabled = true;
  signInPanel.hidden = false;
  signInError.textContent = message ?? '';
  codeInput.value = '';
  codeInput.focus();
}

function signedIn(name, welcome) {
  signInPanel.hidden = true;
  log.hidden = false;
  composer.hidden = false;
  account.hidden = false;
  setText('signed-in-as', text('signedInAs', name) ?? name);
  input.disabled = sendButton.disabled = false;
  log.replaceChildren();
  system(welcome ?? text('talkingAs', name));
  input.focus();
  startPolling();
}

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = codeInput.value.trim();
  signInError.textContent = '';
  if (!code) { codeInput.focus(); return; }
  const submit = document.getElementById('sign-in-submit');
  submit.disabled = true;
  try {
    const res = await fetch('web/session', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    const body = await res.json();
    if (!res.ok) { signInError.textContent = body.error; codeInput.focus(); codeInput.select(); return; }
    signedIn(body.signedIn.name, body.welcome);
  } catch {
    signInError.textContent = text('unreachable');
  } finally {
    submit.disabled = false;
  }
});

async function signOut(everywhere) {
  try {
    const res = await fetch(`web/session${everywhere ? '?everywhere=true' : ''}`, { method: 'DELETE', credentials: 'same-origin' });
    const body = await res.json();
    showSignIn(body.message);
  } catch {
    system(text('unreachable'));
  }
}
document.getElementById('sign-out').addEventListener('click', () => signOut(false));
document.getElementById('sign-out-everywhere').addEventListener('click', () => signOut(true));

async function loadIdentities() {
  const lang = pageLanguage();
  const res = await fetch(`web/identities${lang ? `?lang=${encodeURIComponent(lang)}` : ''}`);
  const people = await res.json();
  const groups = new Map();
  for (const p of people) {
    const cluster = p.roles[0]?.cluster ?? '–';
    if (!groups.has(cluster)) groups.set(cluster, []);
    groups.get(cluster).push(p);
  }
  for (const [cluster, list] of groups) {
    const group = document.createElement('optgroup');
    group.label = cluster;
    for (const p of list) {
      const option = document.createElement('option');
      option.value = p.key;
      if (p.language) option.dataset.language = p.language;
      option.textContent = `${p.name} (${p.roles.map((r) => r.label ?? r.role.toLowerCase().replace('_', ' ')).join(', ') || text('noRole')})`;
      group.append(option);
    }
    picker.append(group);
  }
  // A guest keeps one identity in this browser, so a reload finds their conversation again.
  let guestKey = localStorage.getItem('cb-guest');
  if (!guestKey) {
    guestKey = `guest-${Math.random().toString(36).slice(2, 10)}`;
    localStorage.setItem('cb-guest', guestKey);
  }
  const guest = document.createElement('option');
  guest.value = guestKey;
  guest.textContent = text('newPerson');
  picker.append(guest);
  const remembered = localStorage.getItem('cb-identity');
  if (remembered && [...picker.options].some((o) => o.value === remembered)) {
    picker.value = remembered;
    choose(remembered);
  }
}

function choose(key) {
  identity = key;
  localStorage.setItem('cb-identity', key);
  input.disabled = sendButton.disabled = !key;
  log.replaceChildren();
  if (!key) return;
  // Talking as a demo person: the page speaks their language, unless this browser chose one on the page.
  const spoken = picker.selectedOptions[0].dataset.language;
  if (spoken && !pageLanguage() && spoken !== document.documentElement.lang) void loadSession(spoken).then(applyTexts);
  const name = picker.selectedOptions[0].textContent;
  system(text('talkingAs', name));
  input.focus();
  startPolling();
}

/** The conversation is kept on the server: the first poll shows it again (after a reload too), later ones what is new. */
function startPolling() {
  clearInterval(pollTimer);
  inboxPausedShown = false;
  lastSeq = '0';
  void poll();
  pollTimer = setInterval(poll, 3000);
}

/** What a request says about who it is: the picked identity in the demo, nothing with sign-in (the cookie says it). */
function who() {
  return access === 'demo' ? { identity } : {};
}

/** Sends what the person did; `origin` is the message box whose button or form was used, `echo` their bubble. */
async function send(payload, origin, echo) {
  const pending = mine(echo);
  if (origin) origin.classList.add('busy');
  try {
    const res = await fetch('web/events', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...who(), input: { ...payload, ...(origin?.dataset.id ? { messageId: origin.dataset.id } : {}) } }),
    });
    const body = await res.json();
    pending.remove();
    if (res.status === 401 && access === 'sign-in') return showSignIn(body.error);
    if (!res.ok) return system(body.error ?? text('failed'));
    for (const entry of body.entries ?? []) show(entry);
    // Not stored (e.g. "try again in a moment"): shown once, as it came.
    if (!body.entries?.length) for (const message of body.messages) render(message).scrollIntoView({ block: 'end' });
  } catch {
    pending.remove();
    system(text('unreachable'));
  } finally {
    if (origin) origin.classList.remove('busy');
  }
}

async function poll() {
  if (access === 'demo' && !identity) return;
  try {
    const query = access === 'demo' ? `?identity=${encodeURIComponent(identity)}` : '';
    const asked = identity;
    const res = await fetch(`web/history${query}${query ? '&' : '?'}after=${lastSeq}`, { credentials: 'same-origin' });
    if (asked !== identity) return;
    if (res.status === 401 && access === 'sign-in') return showSignIn((await res.json()).error);
    if (res.status === 503) {
      // The messages wait on the server; say so once, then keep asking quietly.
      if (!inboxPausedShown) system((await res.json()).error);
      inboxPausedShown = true;
      return;
    }
    if (!res.ok) return;
    inboxPausedShown = false;
    const body = await res.json();
    for (const entry of body.entries) show(entry);
  } catch { /* the next poll tries again */ }
}

/** Shows one history entry: a new one at the end, a replaced one in its old place. */
function show(entry) {
  if (BigInt(entry.seq) > BigInt(lastSeq)) lastSeq = entry.seq;
  const existing = log.querySelector(`[data-id="${CSS.escape(entry.id)}"]`);
  if (existing && BigInt(existing.dataset.seq) >= BigInt(entry.seq)) return;
  const box = entry.from === 'me' ? mine(entry.text, entry.at) : render(entry.message, entry.at);
  box.dataset.id = entry.id;
  box.dataset.seq = entry.seq;
  if (existing) existing.replaceWith(box);
  box.scrollIntoView({ block: 'end' });
}

/** "10:42" today, "3 Dec 10:42" another day: when a message was first shown. */
function timeOf(iso) {
  const at = new Date(iso);
  // In the page's language (month names, order), not the browser's.
  const locales = document.documentElement.lang ? [document.documentElement.lang] : [];
  const time = at.toLocaleTimeString(locales, { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === new Date().toDateString() ? time : `${at.toLocaleDateString(locales, { day: 'numeric', month: 'short' })} ${time}`;
}

/** A line from the page or the server itself; it may name a person, so it is shown as text only. */
function system(text) {
  const div = el('div', 'msg context');
  appendText(div, text);
  log.append(div);
  div.scrollIntoView({ block: 'end' });
}

/** The person's own bubble (with its time once the server has it). */
function mine(text, at) {
  const div = el('div', 'msg mine');
  div.setAttribute('data-testid', 'my-message');
  div.textContent = text;
  if (at) { const time = el('div', 'time'); time.textContent = timeOf(at); div.append(time); }
  log.append(div);
  return div;
}

/** Renders one bot message at the end of the log; `show` moves it into a replaced message's place. */
function render(message, at) {
  const box = el('div', `msg bot${message.ephemeral ? ' ephemeral' : ''}`);
  box.setAttribute('data-testid', 'bot-message');
  const who = el('div', 'who');
  who.textContent = at ? `Cluster Bot · ${timeOf(at)}` : 'Cluster Bot';
  if (message.ephemeral && text('onlyYou')) who.append(` · ${text('onlyYou')}`);
  box.append(who);
  for (const block of message.blocks) box.append(renderBlock(block, box));
  log.append(box);
  return box;
}

function renderBlock(block, box) {
  switch (block.type) {
    case 'heading': { const h = el('h2'); for (const line of block.lines) appendNodes(h, line.nodes); return h; }
    case 'text': return richText(block.lines);
    case 'context': { const p = richText(block.lines); p.classList.add('context'); return p; }
    case 'divider': return el('hr');
    case 'fields': {
      const grid = el('div', 'fields');
      for (const f of block.fields) { const cell = el('div'); const b = el('b'); b.textContent = f.label; cell.append(b, richText(f.lines)); grid.append(cell); }
      return grid;
    }
    case 'image': { const img = el('img', 'chart'); img.src = block.url; img.alt = block.alt; return img; }
    case 'actions': {
      const row = el('div', 'actions');
      for (const e of block.elements) row.append(e.type === 'select' ? renderSelect(e, box) : renderButton(e, box));
      return row;
    }
    case 'form': return renderForm(block.form, box);
    default: return el('span');
  }
}

function renderButton(button, box) {
  const b = el('button', button.style ?? '');
  b.type = 'button';
  b.textContent = button.label;
  b.addEventListener('click', () => {
    if (box.classList.contains('busy')) return;
    if (button.confirm && !confirm(`${button.confirm.title}\n\n${button.confirm.text}`)) return;
    send({ type: 'action', actionId: button.actionId, value: button.value ?? '', label: button.label, ...(button.token ? { token: button.token } : {}) }, box, `[${button.label}]`);
  });
  return b;
}

function renderSelect(select, box) {
  const s = el('select');
  s.setAttribute('aria-label', select.placeholder);
  const placeholder = el('option'); placeholder.value = ''; placeholder.textContent = select.placeholder; s.append(placeholder);
  for (const o of select.options) { const opt = el('option'); opt.value = o.value; opt.textContent = o.label; s.append(opt); }
  if (select.initial) s.value = select.initial;
  s.addEventListener('change', () => {
    if (!s.value) return;
    send({ type: 'action', actionId: select.actionId, value: s.value, label: s.selectedOptions[0].textContent }, box, `[${s.selectedOptions[0].textContent}]`);
  });
  return s;
}

function renderForm(form, box) {
  const f = el('form', 'bot-form');
  if (form.introLines) f.append(richText(form.introLines));
  const title = el('h2'); title.textContent = form.title; f.prepend(title);
  for (const field of form.fields) {
    const id = `f-${Math.random().toString(36).slice(2)}`;
    const label = el('label'); label.htmlFor = id; label.textContent = field.label + (field.required ? ' *' : '');
    if (field.hint) { const hint = el('span', 'hint'); hint.textContent = field.hint; label.append(hint); }
    let control;
    if (field.kind === 'textarea') control = el('textarea');
    else if (field.kind === 'select' || field.kind === 'multiselect') {
      control = el('select');
      if (field.kind === 'multiselect') control.multiple = true;
      else { const none = el('option'); none.value = ''; none.textContent = field.placeholder ?? '—'; control.append(none); }
      for (const o of field.options ?? []) { const opt = el('option'); opt.value = o.value; opt.textContent = o.label; control.append(opt); }
    } else {
      control = el('input');
      control.type = { number: 'number', date: 'date', email: 'email', checkbox: 'checkbox' }[field.kind] ?? 'text';
    }
    control.id = id; control.name = field.name;
    if (field.placeholder && 'placeholder' in control) control.placeholder = field.placeholder;
    if (field.maxLength) control.maxLength = field.maxLength;
    const initial = field.initial;
    if (field.kind === 'checkbox') control.checked = initial === 'true' || initial === 'on';
    else if (field.kind === 'multiselect' && Array.isArray(initial)) for (const o of control.options) o.selected = initial.includes(o.value);
    else if (initial !== undefined) control.value = Array.isArray(initial) ? initial.join(', ') : initial;
    f.append(label, control);
    const error = form.errors?.[field.name];
    if (error) { control.classList.add('invalid'); const e = el('div', 'error'); e.textContent = error; f.append(e); }
  }
  if (form.errors?._form) { const e = el('div', 'error'); e.textContent = form.errors._form; f.append(e); }
  const submit = el('button', 'primary'); submit.type = 'submit'; submit.textContent = form.submitLabel; f.append(submit);
  f.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = {};
    for (const field of form.fields) {
      const control = f.elements.namedItem(field.name);
      if (field.kind === 'multiselect') values[field.name] = [...control.selectedOptions].map((o) => o.value);
      else if (field.kind === 'checkbox') values[field.name] = control.checked ? 'true' : 'false';
      else values[field.name] = control.value;
    }
    if (box.classList.contains('busy')) return;
    send({ type: 'form', formId: form.formId, values, label: form.submitLabel, ...(form.token ? { token: form.token } : {}) }, box, `[${form.submitLabel}: ${form.title}]`);
  });
  return f;
}

/** Texts of the page itself arrive as plain text (the server reads their markup): shown as text, never parsed. */
function appendText(parent, text) {
  parent.append(document.createTextNode(text ?? ''));
}

/** Lines of parsed markup: "- " lines as a list, others as paragraphs. */
function richText(lines) {
  const wrapper = el('div');
  let list = null;
  for (const line of lines) {
    if (line.bullet) {
      if (!list) { list = el('ul'); wrapper.append(list); }
      const li = el('li'); appendNodes(li, line.nodes); list.append(li);
    } else {
      list = null;
      const p = el('p'); appendNodes(p, line.nodes); wrapper.append(p);
    }
  }
  return wrapper;
}

/** Nodes as elements; text only ever through text nodes, links only to web, mail or this origin. */
function appendNodes(parent, nodes) {
  for (const node of nodes) {
    if (node.type === 'bold' || node.type === 'italic') { const s = el(node.type === 'bold' ? 'strong' : 'em'); appendNodes(s, node.children); parent.append(s); }
    else if (node.type === 'code') { const c = el('code'); c.textContent = node.text; parent.append(c); }
    else if (node.type === 'link' && /^(https?:\/\/|mailto:|\/(?!\/))/.test(node.url)) { const a = el('a'); a.textContent = node.label; a.href = node.url; a.target = '_blank'; a.rel = 'noopener'; parent.append(a); }
    else parent.append(document.createTextNode(node.type === 'link' ? node.label : node.text ?? ''));
  }
}

function el(tag, className) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

picker.addEventListener('change', () => choose(picker.value));
composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const typed = input.value.trim();
  if (!typed || (access === 'demo' && !identity)) return;
  input.value = '';
  send({ type: 'typed', text: typed }, undefined, typed);
});
// The first paint in the page's language from the texts that came with it, then the server's.
applyTexts();
start().catch(() => system(text('startFailed')));
