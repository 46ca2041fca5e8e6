// Aduan's pages: post the chat's forms without leaving the page, and keep the panes
// current by waiting on the server. Without this script every form posts and the
// server sends the page back; nothing here is needed to file a complaint.
(function () {
  "use strict";
  var body = document.body;
  var waitURL = body.getAttribute("data-wait");
  if (!waitURL || !window.fetch || !window.FormData) return;

  function panes() { return document.querySelectorAll(".pane[data-pane]"); }

  function showError(text) {
    var el = document.getElementById("galat");
    if (!el) { if (text) alert(text); return; }
    el.textContent = text || "";
    el.hidden = !text;
  }

  function nearBottom(list) { return list.scrollHeight - list.scrollTop - list.clientHeight < 80; }

  // update brings a pane's list to the server's lines, touching only the lines that
  // changed: a button someone is about to press, or a reply being typed, stays as it is.
  function update(list, html) {
    var fresh = document.createElement("ol");
    fresh.innerHTML = html;
    var items = [].slice.call(fresh.children);
    items.forEach(function (li, i) {
      var node = li.id ? document.getElementById(li.id) : null;
      if (node && node.parentNode === list) {
        if (node.outerHTML !== li.outerHTML) { list.replaceChild(li, node); node = li; }
      } else {
        node = li;
      }
      if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null);
    });
    while (list.children.length > items.length) list.removeChild(list.lastElementChild);
  }

  function apply(data) {
    var changed = data && data.panes;
    if (!changed) return;
    Object.keys(changed).forEach(function (id) {
      var pane = document.querySelector('.pane[data-pane="' + id + '"]');
      if (!pane) return;
      // A wait answered before a newer refresh arrives late: never go back to older lines.
      if (Number(changed[id].v) < Number(pane.getAttribute("data-version"))) return;
      var list = pane.querySelector(".lines");
      var stick = nearBottom(list);
      update(list, changed[id].html);
      pane.setAttribute("data-version", changed[id].v);
      if (stick) list.scrollTop = list.scrollHeight;
      var tab = document.querySelector('.tabs a[href="#p-' + id + '"]');
      if (tab && !tab.classList.contains("on") && !tab.querySelector(".dot")) {
        var dot = document.createElement("span");
        dot.className = "dot";
        tab.appendChild(dot);
      }
    });
  }

  function versions() {
    var out = [];
    panes().forEach(function (p) { out.push(p.getAttribute("data-pane") + ":" + p.getAttribute("data-version")); });
    return out.join(",");
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  async function watch() {
    for (;;) {
      try {
        var r = await fetch(waitURL + "?v=" + encodeURIComponent(versions()), { headers: { "X-Aduan": "1" }, cache: "no-store" });
        if (r.status === 200) apply(await r.json());
        else if (r.status !== 204) await sleep(4000);
      } catch (e) {
        await sleep(4000);
      }
    }
  }

  async function refresh() {
    try {
      var r = await fetch(waitURL + "?now=1&v=" + encodeURIComponent(versions()), { headers: { "X-Aduan": "1" }, cache: "no-store" });
      if (r.status === 200) apply(await r.json());
    } catch (e) { /* the wait brings it */ }
  }

  document.addEventListener("submit", async function (ev) {
    var form = ev.target;
    if (!form.hasAttribute("data-live")) return;
    var file = form.querySelector("input[type=file]");
    if (file && file.files.length && file.files[0].size > Number(file.getAttribute("data-max"))) {
      ev.preventDefault();
      showError(file.getAttribute("data-too-large"));
      return;
    }
    ev.preventDefault();
    var data = new FormData(form);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    form.classList.add("busy");
    try {
      var r = await fetch(form.action, { method: "POST", body: data, headers: { "X-Aduan": "1" } });
      if (r.ok) {
        showError("");
        form.querySelectorAll("textarea").forEach(function (t) { t.value = ""; });
        if (file) file.value = "";
        await refresh();
      } else {
        var msg = "";
        try { msg = (await r.json()).error; } catch (e) { msg = r.statusText; }
        showError(msg);
      }
    } catch (e) {
      form.submit();
      return;
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
      form.classList.remove("busy");
    }
  });

  // A citizen's location, when the browser can give it (https or this computer).
  if (navigator.geolocation && window.isSecureContext) {
    document.querySelectorAll("button.geo").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        var form = b.form;
        b.disabled = true;
        navigator.geolocation.getCurrentPosition(async function (pos) {
          var data = new FormData();
          data.append("pane", form.querySelector("input[name=pane]").value);
          data.append("lat", pos.coords.latitude.toFixed(6));
          data.append("long", pos.coords.longitude.toFixed(6));
          try {
            var r = await fetch(form.action, { method: "POST", body: data, headers: { "X-Aduan": "1" } });
            if (r.ok) { showError(""); await refresh(); }
            else { try { showError((await r.json()).error); } catch (e) { showError(r.statusText); } }
          } catch (e) { /* offline: nothing sent */ }
          b.disabled = false;
        }, function () { b.disabled = false; }, { enableHighAccuracy: true, timeout: 20000 });
      });
    });
  }

  // Enter sends, Shift+Enter starts a new line (with a keyboard: a phone's Enter is a new line).
  var fine = window.matchMedia && window.matchMedia("(pointer: fine)").matches;
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.key === "Enter" && !ev.shiftKey && fine && t.tagName === "TEXTAREA" && t.form && t.form.hasAttribute("data-live") && t.value.trim() !== "") {
      ev.preventDefault();
      t.form.requestSubmit ? t.form.requestSubmit() : t.form.submit();
    }
  });

  // Tabs of the practice desk on a phone.
  var tabs = document.querySelectorAll(".tabs a");
  function select(hash) {
    tabs.forEach(function (a) {
      var on = a.getAttribute("href") === hash;
      a.classList.toggle("on", on);
      if (on) {
        var d = a.querySelector(".dot");
        if (d) d.remove();
        a.parentNode.scrollLeft = a.offsetLeft - a.parentNode.offsetLeft - 8;
      }
    });
    panes().forEach(function (p) { p.classList.toggle("on", "#" + p.id === hash); });
  }
  if (tabs.length) {
    select(location.hash && document.querySelector(location.hash + ".pane") ? location.hash : tabs[0].getAttribute("href"));
    window.addEventListener("hashchange", function () { select(location.hash); });
  }

  document.querySelectorAll(".lines").forEach(function (l) { l.scrollTop = l.scrollHeight; });
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) { if (!confirm(f.getAttribute("data-confirm"))) ev.preventDefault(); });
  });
  watch();
})();
