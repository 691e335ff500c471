// openfarm dashboard: the page script. Served as a file (the Content-Security-Policy
// allows no inline script); it only adds behaviour to server-rendered markup.
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

  // Every htmx request carries the CSRF token (forms also send it as the _csrf field).
  document.addEventListener('htmx:configRequest', (e) => {
    if (csrf !== '') e.detail.headers['x-csrf-token'] = csrf;
  });

  // Destructive buttons ask first. Capture phase, so a refusal stops htmx's own submit handler too.
  document.addEventListener(
    'submit',
    (e) => {
      const message = e.submitter?.getAttribute('data-confirm');
      if (message && !window.confirm(message)) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    },
    true,
  );

  // Live regions ([data-live]) are re-fetched by htmx on the custom "live" event. Ticked
  // checkboxes survive the swap, so a refresh never drops a selection in progress.
  let ticked = [];
  document.addEventListener('htmx:beforeSwap', (e) => {
    const region = e.detail.target;
    ticked = [...region.querySelectorAll('input[type=checkbox]:checked')].map((c) => `${c.name}=${c.value}`);
  });
  document.addEventListener('htmx:afterSettle', () => {
    for (const key of ticked) {
      const [name, value] = key.split('=');
      const box = document.querySelector(
        `input[type=checkbox][name="${CSS.escape(name)}"][value="${CSS.escape(value)}"]`,
      );
      if (box) box.checked = true;
    }
    ticked = [];
    followLogFrame();
  });

  let pending;
  function refreshLive() {
    clearTimeout(pending);
    pending = setTimeout(() => {
      for (const el of document.querySelectorAll('[data-live]')) window.htmx?.trigger(el, 'live');
    }, 250);
  }

  const stream = document.body.getAttribute('data-live-events');
  if (stream) {
    let source;
    const open = () => {
      source = new EventSource(stream);
      source.addEventListener('task', refreshLive);
      source.addEventListener('frame', refreshLive);
      source.addEventListener('node', refreshLive);
      // New lines in a log of one of this user's frames: the open log panel fetches what follows.
      source.addEventListener('log', () => readLogSoon());
      // A reconnect may have missed events: read the state again.
      source.addEventListener('open', () => {
        refreshLive();
        readLogSoon();
      });
      source.addEventListener('signed-out', () => {
        source.close();
        window.location.assign('/sign-in');
      });
    };
    open();
    window.addEventListener('pagehide', () => source?.close());
  }

  // The log panel: lines are fetched after the last one shown, as text (never markup), when
  // the event stream says a log grew. Following the end pauses when the reader scrolls up.
  const log = document.getElementById('log');
  let logTimer;
  let logReading = false;
  let logAgain = false;
  function readLogSoon() {
    clearTimeout(logTimer);
    logTimer = setTimeout(pollLog, 100);
  }
  let after = 0;
  let src = log?.getAttribute('data-log-src') ?? '';
  function atEnd() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  }
  let follow = true;
  log?.addEventListener('scroll', () => {
    follow = atEnd();
    log.classList.toggle('paused', !follow);
  });
  async function pollLog() {
    if (!log || src === '') return;
    // One fetch at a time (two would append the same lines); a call meanwhile asks for one more after.
    if (logReading) {
      logAgain = true;
      return;
    }
    const asked = src;
    let failed = false;
    logReading = true;
    logAgain = false;
    try {
      const res = await fetch(`${src}?after=${after}`, { headers: { accept: 'application/json' } });
      if (res.ok && asked === src) {
        const page = await res.json();
        if (page.lines.length > 0) {
          log.append(document.createTextNode(page.lines.map((l) => `${l}\n`).join('')));
          if (follow) log.scrollTop = log.scrollHeight;
        }
        after = page.next;
      } else if (asked === src) {
        failed = res.status >= 500;
      }
    } catch {
      failed = true; // a network hiccup: try again
    }
    logReading = false;
    clearTimeout(logTimer);
    if (logAgain || asked !== src) readLogSoon();
    else if (failed) logTimer = setTimeout(pollLog, 5000);
  }
  function showLogOf(newSrc, label) {
    if (newSrc === src) return;
    src = newSrc;
    after = 0;
    log.textContent = '';
    log.setAttribute('data-log-src', src);
    const heading = document.getElementById('log-frame');
    if (heading && label) heading.textContent = label;
    document.getElementById('log-empty')?.remove();
    pollLog();
  }
  // Unless the reader chose a frame, the log follows the frame the task renders now.
  function followLogFrame() {
    if (log?.getAttribute('data-auto') !== '1') return;
    const live = document.getElementById('task-live');
    const frame = live?.getAttribute('data-log-frame');
    if (frame) showLogOf(`/ui/frames/${frame}/log`, live.getAttribute('data-log-label'));
  }
  if (log && src !== '') pollLog();
})();
