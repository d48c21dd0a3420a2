/*
 * Clara's chat widget for any website:
 *   <script src="https://clara.example.com/widget.js" data-key="pk_..." async></script>
 * It talks to the Clara server it was loaded from, with the site's publishable key. Plain
 * browser JavaScript, no dependencies, no build step: it is served as it is.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__claraWidget) return;
  window.__claraWidget = true;
  var key = script.getAttribute('data-key');
  var title = script.getAttribute('data-title') || 'Chat with us';
  var base = new URL(script.src).origin;
  var storageKey = 'clara-session-' + key;
  var visitorId = localStorage.getItem(storageKey);
  if (!visitorId) {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    visitorId = Array.from(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
    localStorage.setItem(storageKey, visitorId);
  }
  var sessionId = null;

  function api(path, body) {
    return fetch(base + '/public/v1/chat/' + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-clara-key': key },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || 'Something went wrong');
        return data;
      });
    });
  }

  var root = document.createElement('div');
  root.setAttribute('style', 'position:fixed;right:20px;bottom:20px;z-index:2147483000;font:14px/1.4 system-ui,sans-serif');
  var button = document.createElement('button');
  button.type = 'button';
  button.textContent = title;
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('style', 'background:#1c7ed6;color:#fff;border:0;border-radius:24px;padding:12px 18px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.2)');
  var panel = document.createElement('section');
  panel.setAttribute('aria-label', title);
  panel.hidden = true;
  panel.setAttribute('style', 'width:320px;height:420px;background:#fff;border:1px solid #ddd;border-radius:12px;box-shadow:0 4px 16px rgba(0,0,0,.2);display:flex;flex-direction:column;margin-bottom:8px');
  var log = document.createElement('div');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  log.setAttribute('style', 'flex:1;overflow-y:auto;padding:12px');
  var form = document.createElement('form');
  form.setAttribute('style', 'display:flex;border-top:1px solid #eee');
  var input = document.createElement('input');
  input.type = 'text';
  input.maxLength = 2000;
  input.setAttribute('aria-label', 'Your message');
  input.placeholder = 'Type your message';
  input.setAttribute('style', 'flex:1;border:0;padding:12px;font:inherit;outline-offset:-2px');
  var send = document.createElement('button');
  send.type = 'submit';
  send.textContent = 'Send';
  send.setAttribute('style', 'border:0;background:none;color:#1c7ed6;padding:0 14px;cursor:pointer;font:inherit');
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(log);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(button);
  document.body.appendChild(root);

  function say(role, text) {
    var bubble = document.createElement('p');
    bubble.textContent = text; // text, never HTML
    bubble.setAttribute('data-role', role);
    bubble.setAttribute(
      'style',
      'margin:6px 0;padding:8px 10px;border-radius:10px;max-width:85%;' +
        (role === 'user' ? 'background:#e7f5ff;margin-left:auto' : 'background:#f1f3f5'),
    );
    log.appendChild(bubble);
    log.scrollTop = log.scrollHeight;
  }

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    input.focus();
    if (sessionId) return;
    api('sessions', { session_id: visitorId })
      .then(function (session) {
        sessionId = session.id;
        session.messages.forEach(function (message) { say(message.role, message.text); });
      })
      .catch(function (error) { say('assistant', error.message); });
  }

  button.addEventListener('click', function () {
    if (panel.hidden) open();
    else {
      panel.hidden = true;
      button.setAttribute('aria-expanded', 'false');
    }
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !sessionId) return;
    input.value = '';
    say('user', text);
    send.disabled = true;
    api('sessions/' + sessionId + '/turns', { text: text })
      .then(function (turn) {
        say('assistant', turn.reply);
        if (turn.done) {
          localStorage.removeItem(storageKey);
          input.disabled = true;
        }
      })
      .catch(function (error) { say('assistant', error.message); })
      .then(function () { send.disabled = false; });
  });
})();
