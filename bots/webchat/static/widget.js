// The web chat on another site, with one tag: <script src="https://BOT/chat/widget.js" defer>.
// A button opens a panel holding the chat page (/chat) in a frame; the bot's server lets only
// the sites WEBCHAT_ORIGINS lists frame it. Nothing here reads or writes the host page's data.
"use strict";
(function () {
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var base = new URL(script.src);
  var page = base.origin + "/chat";
  // The words in each of the content's languages (content/strings/, webchat_* keys), filled in
  // by the server; the host page's language picks them.
  var WORDS = /*WORDS*/{};
  var lang = (document.documentElement.lang || navigator.language || "").toLowerCase();
  var code = WORDS.languages[lang] ? lang : lang.split("-")[0];
  if (!WORDS.languages[code]) { code = WORDS.default; }
  var words = WORDS.languages[code];
  var open = false;

  var button = document.createElement("button");
  button.type = "button";
  button.id = "iombot-chat-button";
  button.textContent = words.open;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "iombot-chat-panel");
  var style = button.style;
  style.position = "fixed"; style.right = "16px"; style.bottom = "16px"; style.zIndex = "2147483000";
  style.padding = "12px 18px"; style.border = "0"; style.borderRadius = "24px";
  style.background = "#0033a0"; style.color = "#ffffff"; style.font = "600 16px system-ui, sans-serif";
  style.cursor = "pointer";

  var panel = document.createElement("div");
  panel.id = "iombot-chat-panel";
  panel.hidden = true;
  var box = panel.style;
  box.position = "fixed"; box.right = "16px"; box.bottom = "72px"; box.zIndex = "2147483000";
  box.width = "min(400px, calc(100vw - 32px))"; box.height = "min(600px, calc(100vh - 96px))";
  box.border = "1px solid #5c6370"; box.borderRadius = "12px"; box.overflow = "hidden";
  box.background = "#ffffff"; box.boxShadow = "0 4px 24px rgba(0,0,0,.25)";

  button.addEventListener("click", function () {
    open = !open;
    if (open && !panel.firstChild) {
      var frame = document.createElement("iframe");
      frame.src = page + "?lang=" + encodeURIComponent(code);
      frame.title = words.title;
      frame.style.width = "100%"; frame.style.height = "100%"; frame.style.border = "0";
      panel.appendChild(frame);
    }
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
