// The web chat renders the bot's platform-neutral messages and sends events back.
// Everything the server sends is treated as text: markup is turned into elements, never innerHTML.
const log = document.getElementById('log');
const picker = document.getElementById('identity');
const composer = document.getElementById('composer');
const input = document.getElementById('text');
const sendButton = document.getElementById('send');
let identity = '';
let pollTimer;
/** The highest history seq this page has shown: polls ask only for what is newer or replaced. */
let lastSeq = '0';

async function loadIdentities() {
  const res = await fetch('web/identities');
  const people = await res.json();
  const groups = new Map();
  for (const p of people) {
    const cluster = p.roles[0]?.cluster ?? 'Other';
    if (!groups.has(cluster)) groups.set(cluster, []);
    groups.get(cluster).push(p);
  }
  for (const [cluster, list] of groups) {
    const group = document.createElement('optgroup');
    group.label = cluster;
    for (const p of list) {
      const option = document.createElement('option');
      option.value = p.key;
      option.textContent = `${p.name} (${p.roles.map((r) => r.role.toLowerCase().replace('_', ' ')).join(', ') || 'no role'})`;
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
  guest.textContent = 'A new person (not in any cluster)';
  picker.append(guest);
  const remembered = localStorage.getItem('cb-identity');
  if (remembered && [...picker.options].some((o) => o.value === remembered)) {
    picker.value = remembered;
    choose(remembered);
  }
}

async function choose(key) {
  identity = key;
  localStorage.setItem('cb-identity', key);
  input.disabled = sendButton.disabled = !key;
  log.replaceChildren();
  lastSeq = '0';
  clearInterval(pollTimer);
  if (!key) return;
  system(`You are talking as ${picker.selectedOptions[0].textContent}. Try /lc help.`);
  input.focus();
  // The conversation is kept on the server: a reload shows it again, with what came while away.
  await poll();
  pollTimer = setInterval(poll, 3000);
}

/** Sends what the person did; `origin` is the message box whose button or form was used. */
async function send(payload, origin, echo) {
  const pending = mine(echo);
  if (origin) origin.classList.add('busy');
  try {
    const res = await fetch('web/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity, input: { ...payload, ...(origin?.dataset.id ? { messageId: origin.dataset.id } : {}) } }),
    });
    const body = await res.json();
    pending.remove();
    if (!res.ok) return system(body.error ?? 'Something went wrong. Try again.');
    for (const entry of body.entries) show(entry);
    // Not stored (e.g. "try again in a moment"): shown once, as it came.
    if (!body.entries.length) for (const message of body.messages) render(message).scrollIntoView({ block: 'end' });
  } catch {
    pending.remove();
    system('The bot could not be reached. Check that it is running and try again.');
  } finally {
    if (origin) origin.classList.remove('busy');
  }
}

async function poll() {
  if (!identity) return;
  const asked = identity;
  try {
    const res = await fetch(`web/history?identity=${encodeURIComponent(asked)}&after=${lastSeq}`);
    if (!res.ok || asked !== identity) return;
    const body = await res.json();
    for (const entry of body.entries) show(entry);
    // Not stored (e.g. "try again in a moment"): shown once, as it came.
    if (!body.entries.length) for (const message of body.messages) render(message).scrollIntoView({ block: 'end' });
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
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === new Date().toDateString() ? time : `${at.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}

function system(text) {
  const div = el('div', 'msg context system');
  div.textContent = text;
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
  box.append(who);
  for (const block of message.blocks) box.append(renderBlock(block, box));
  log.append(box);
  return box;
}

function renderBlock(block, box) {
  switch (block.type) {
    case 'heading': { const h = el('h2'); appendMarkup(h, block.text); return h; }
    case 'text': return markupBlock(block.text);
    case 'context': { const p = markupBlock(block.text); p.classList.add('context'); return p; }
    case 'divider': return el('hr');
    case 'fields': {
      const grid = el('div', 'fields');
      for (const f of block.fields) { const cell = el('div'); const b = el('b'); b.textContent = f.label; cell.append(b); appendMarkup(cell, f.value); grid.append(cell); }
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
  if (form.intro) f.append(markupBlock(form.intro));
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

/** The bot's small markup: **bold**, _italic_, `code`, [label](url), "- " bullets. */
function markupBlock(text) {
  const wrapper = el('div');
  const lines = text.split('\n');
  let list = null;
  for (const line of lines) {
    if (line.startsWith('- ')) {
      if (!list) { list = el('ul'); wrapper.append(list); }
      const li = el('li'); appendMarkup(li, line.slice(2)); list.append(li);
    } else {
      list = null;
      const p = el('p'); appendMarkup(p, line); wrapper.append(p);
    }
  }
  return wrapper;
}

function appendMarkup(parent, text) {
  const pattern = /\*\*(.+?)\*\*|`([^`]+)`|\[([^\]]+)\]\((https?:\/\/[^)\s]+|\/[^)\s]*)\)|(^|\s)_(.+?)_(?=\s|$|[.,;:!?])/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    parent.append(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) { const b = el('strong'); b.textContent = m[1]; parent.append(b); }
    else if (m[2] !== undefined) { const c = el('code'); c.textContent = m[2]; parent.append(c); }
    else if (m[3] !== undefined) { const a = el('a'); a.textContent = m[3]; a.href = m[4]; a.target = '_blank'; a.rel = 'noopener'; parent.append(a); }
    else { parent.append(document.createTextNode(m[5])); const i = el('em'); i.textContent = m[6]; parent.append(i); }
    last = m.index + m[0].length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

function el(tag, className) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

picker.addEventListener('change', () => choose(picker.value));
composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || !identity) return;
  input.value = '';
  send({ type: 'typed', text }, undefined, text);
});
loadIdentities().catch(() => system('Could not load the demo identities. Is the bot running with its database?'));
