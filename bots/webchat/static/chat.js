// The web chat page: a WebSocket to /chat/ws carrying JSON, the conversation drawn with
// textContent only (nothing the bot or a person says is ever read as HTML), links only https:
// and tel:. The session id the server gives is kept in localStorage: no cookie.
"use strict";
(function () {
  var KEY = "iombot-webchat-session";
  var SAFE = /^(https:|tel:)/i;
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("text");
  var status = document.getElementById("status");
  var socket = null;
  var retry = 500;
  var ready = false;

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function store(session) {
    try { window.localStorage.setItem(KEY, session); } catch (e) { /* private mode: no memory */ }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + location.host + "/chat/ws");
    socket.onopen = function () {
      retry = 500;
      socket.send(JSON.stringify({ type: "hello", session: stored(), locale: navigator.language || null }));
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "session") { onSession(data); }
      else if (data.type === "entry") { draw(data.entry); }
    };
    socket.onclose = function () {
      ready = false;
      document.body.setAttribute("data-ready", "false");
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  function onSession(data) {
    store(data.session);
    setWords(data.language, data.labels);
    if (data.max_chars) { input.maxLength = data.max_chars; }
    log.textContent = "";
    (data.history || []).forEach(draw);
    ready = true;
    status.textContent = "";
    document.body.setAttribute("data-ready", "true");
  }

  function setWords(language, labels) {
    if (language) { document.documentElement.lang = language; }
    if (!labels) { return; }
    document.getElementById("title").textContent = labels.title;
    document.title = labels.title;
    document.getElementById("label").textContent = labels.label;
    document.getElementById("send").textContent = labels.send;
    log.setAttribute("aria-label", labels.log);
  }

  function draw(entry) {
    if (!entry) { return; }
    var box = document.createElement("div");
    if (entry.from === "user") {
      box.className = "msg user";
      box.textContent = entry.text;
    } else if (entry.from === "bot" && entry.reply) {
      box.className = "msg bot";
      drawReply(box, entry.reply, entry.id);
    } else {
      return;
    }
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }

  function drawReply(box, reply, id) {
    box.lang = reply.language;
    if (reply.title) {
      var title = document.createElement("h2");
      title.textContent = reply.title;
      box.appendChild(title);
    }
    (reply.blocks || []).forEach(function (block) {
      if (block.list) {
        var list = document.createElement("ul");
        block.list.forEach(function (spans) {
          var item = document.createElement("li");
          addSpans(item, spans);
          list.appendChild(item);
        });
        box.appendChild(list);
      } else if (block.p) {
        var paragraph = document.createElement("p");
        addSpans(paragraph, block.p);
        box.appendChild(paragraph);
      }
    });
    if (reply.buttons && reply.buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      reply.buttons.forEach(function (button) {
        var element = document.createElement("button");
        element.type = "button";
        element.textContent = button.label;
        if (button.compact) { element.className = "compact"; }
        if (button.name) { element.setAttribute("aria-label", button.label + " " + button.name); }
        element.addEventListener("click", function () { press(button, id, row); });
        row.appendChild(element);
      });
      box.appendChild(row);
    }
  }

  function addSpans(parent, spans) {
    spans.forEach(function (span) {
      var node;
      if (span.bold !== undefined) {
        node = document.createElement("strong");
        node.textContent = span.bold;
      } else if (span.command !== undefined) {
        node = document.createElement("code");
        node.textContent = span.command;
      } else if (span.href && SAFE.test(span.href)) {
        node = document.createElement("a");
        node.href = span.href;
        node.textContent = span.text;
        if (/^https:/i.test(span.href)) {
          node.target = "_blank";
          node.rel = "noopener noreferrer";
        }
      } else {
        node = document.createTextNode(span.text || "");
      }
      parent.appendChild(node);
    });
  }

  function press(button, id, row) {
    if (!ready) { return; }
    var feedback = button.action.indexOf("fb:") === 0;
    if (feedback) {
      Array.prototype.forEach.call(row.querySelectorAll("button"), function (b) {
        if (b.textContent === "👍" || b.textContent === "👎") { b.disabled = true; }
      });
    } else {
      draw({ from: "user", text: button.label });
    }
    socket.send(JSON.stringify({ type: "button", action: button.action, label: button.label, answer: id }));
    input.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !ready) { return; }
    draw({ from: "user", text: text });
    socket.send(JSON.stringify({ type: "message", text: text }));
    input.value = "";
    input.focus();
  });

  connect();
})();
