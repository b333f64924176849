// The moderators' page: keyboard navigation and decisions. It only ever
// sets textContent, classes and attributes it controls; it never parses
// text as HTML, so what a document says stays text.
"use strict";
(function () {
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  const rows = Array.from(document.querySelectorAll("#queue .item-row"));
  const help = document.getElementById("help");
  const note = document.getElementById("note");
  const tags = document.getElementById("tags");
  const status = document.getElementById("status");
  const bulkCount = document.getElementById("bulk-count");
  let current = -1;
  // The page's words in its language, from the server's catalogs.
  const msg = document.body.dataset;

  // Dates: the server writes them in the page language's form (UTC); here
  // they become the browser's local time in the same language.
  const lang = document.documentElement.lang || "en";
  try {
    const fmt = new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "short" });
    document.querySelectorAll("time[datetime]").forEach((el) => {
      const d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d.getTime())) {
        el.title = el.textContent + " UTC";
        el.textContent = fmt.format(d);
      }
    });
  } catch (err) {
    // An engine without the language keeps the server's form.
  }

  function say(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.className = kind || "";
  }

  // The page holds (claims) the item on screen, so that two moderators do
  // not read the same comment at once, and gives it back on moving on.
  let holding = 0;

  async function post(path, body) {
    const resp = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await resp.json();
    } catch (err) {
      data = null;
    }
    return { resp, data };
  }

  async function hold(row) {
    const id = Number(row.dataset.id);
    if (holding && holding !== id) {
      post("/review/release", { id: holding }).catch(() => {});
      holding = 0;
    }
    if (row.classList.contains("done") || holding === id) return;
    try {
      const { resp, data } = await post("/review/claim", { id: id });
      if (resp.ok) {
        holding = id;
        row.classList.remove("held");
      } else if (resp.status === 409 && !row.classList.contains("done")) {
        row.classList.add("held");
        say((data && data.error && data.error.message) || msg.msgHeld, "error");
      }
    } catch (err) {
      // The decision itself reports trouble; holding is a courtesy.
    }
  }

  // A decided item is read-only: its decision buttons are disabled and
  // the keys do nothing to it.
  const undoButton = document.getElementById("undo");
  function setDecidable(on) {
    document.querySelectorAll("[data-decide]").forEach((b) => (b.disabled = !on));
    if (undoButton) undoButton.disabled = on || current < 0 || rows[current].dataset.undo !== "1";
  }

  function select(i) {
    if (rows.length === 0) return;
    i = Math.max(0, Math.min(rows.length - 1, i));
    if (current >= 0) {
      rows[current].classList.remove("current");
      const old = document.getElementById("item-" + rows[current].dataset.id);
      if (old) old.hidden = true;
    }
    current = i;
    const row = rows[i];
    row.classList.add("current");
    row.scrollIntoView({ block: "nearest" });
    const item = document.getElementById("item-" + row.dataset.id);
    if (item) item.hidden = false;
    setDecidable(!row.classList.contains("done"));
    hold(row);
  }

  // Items selected that are not on this page: a campaign's members the
  // server found beyond it. They go with the next bulk decision.
  const beyond = new Set();

  function picked() {
    const ids = rows.filter((r) => r.querySelector(".pick").checked).map((r) => Number(r.dataset.id));
    beyond.forEach((id) => ids.push(id));
    return ids;
  }

  // A campaign: every open comment of the current item's campaign is
  // selected, on this page and beyond it, for one bulk decision (A, R, E).
  function selectCampaign(c) {
    if (!c) return;
    rows.forEach((r) => {
      if (r.dataset.campaign === c && !r.classList.contains("done")) r.querySelector(".pick").checked = true;
    });
    const b = document.querySelector('.campaign-select[data-campaign="' + c + '"][data-more]');
    if (b) b.dataset.more.split(",").forEach((id) => beyond.add(Number(id)));
    updateBulk();
  }

  function updateBulk() {
    // Nothing selected says nothing: the count shows once there is one.
    const n = picked().length;
    if (bulkCount) bulkCount.textContent = n > 0 ? msg.msgSelected.replace("%d", String(n)) : "";
  }

  function tagList() {
    if (!tags || tags.value.trim() === "") return [];
    return tags.value.split(",").map((t) => t.trim()).filter((t) => t !== "");
  }

  function decisionWord(decision) {
    return msg["msg" + decision[0].toUpperCase() + decision.slice(1)] || decision;
  }

  function statusWord(itemStatus) {
    return msg["msgSt" + itemStatus[0].toUpperCase() + itemStatus.slice(1)] || itemStatus;
  }

  // Undo the decision on the current item: the decider may within 10
  // minutes, an admin at any time (the server checks).
  async function undo() {
    if (current < 0) return;
    const row = rows[current];
    if (!row.classList.contains("done") || row.dataset.undo !== "1") return;
    const id = Number(row.dataset.id);
    say(msg.msgSaving);
    let resp, data;
    try {
      ({ resp, data } = await post("/review/undo", { id: id }));
    } catch (err) {
      say(msg.msgNetwork + ": " + err, "error");
      return;
    }
    if (!resp.ok) {
      say((data && data.error && data.error.message) || msg.msgFailed + " (" + resp.status + ")", "error");
      return;
    }
    row.classList.remove("done", "decided-approve", "decided-reject", "decided-escalate");
    delete row.dataset.undo;
    const st = row.querySelector(".row-status");
    if (st) st.textContent = statusWord(data.status);
    const pick = row.querySelector(".pick");
    if (pick) pick.disabled = false;
    const item = document.getElementById("item-" + id);
    if (item) {
      const s = item.querySelector(".item-status");
      if (s) s.textContent = statusWord(data.status);
      const d = item.querySelector(".decided");
      if (d) d.hidden = true;
    }
    setDecidable(true);
    say(msg.msgUndone + ": #" + id, "ok");
    hold(row);
  }

  function markDone(id, decision, itemStatus) {
    itemStatus = statusWord(itemStatus);
    const row = document.getElementById("row-" + id);
    if (row) {
      row.classList.add("done");
      row.dataset.undo = "1";
      row.classList.add("decided-" + decision);
      const s = row.querySelector(".row-status");
      if (s) s.textContent = itemStatus;
      const pick = row.querySelector(".pick");
      if (pick) {
        pick.checked = false;
        pick.disabled = true;
      }
    }
    const item = document.getElementById("item-" + id);
    if (item) {
      const s = item.querySelector(".item-status");
      if (s) s.textContent = itemStatus;
    }
  }

  function nextOpen(from) {
    for (let i = from + 1; i < rows.length; i++) {
      if (!rows[i].classList.contains("done")) return i;
    }
    return from;
  }

  async function decide(ids, decision) {
    if (ids === null) return; // already said why
    if (ids.length === 0) {
      say(msg.msgNothing, "error");
      return;
    }
    const body = { ids: ids, decision: decision };
    if (note && note.value.trim() !== "") body.note = note.value;
    const t = tagList();
    if (t.length > 0) body.tags = t;
    say(msg.msgSaving);
    let resp, data;
    try {
      ({ resp, data } = await post("/review/decide", body));
    } catch (err) {
      say(msg.msgNetwork + ": " + err, "error");
      return;
    }
    if (!resp.ok) {
      if (resp.status === 401) {
        window.location.assign("/review/login");
        return;
      }
      say((data && data.error && data.error.message) || msg.msgFailed + " (" + resp.status + ")", "error");
      return;
    }
    const failed = [];
    for (const r of data.results) {
      if (r.error) failed.push("#" + r.id + ": " + r.error.message);
      else {
        markDone(r.id, decision, r.item.status);
        if (holding === r.id) holding = 0;
      }
    }
    if (note) note.value = "";
    if (tags) tags.value = "";
    beyond.clear();
    updateBulk();
    if (failed.length > 0) say(failed.join("; "), "error");
    else say(decisionWord(decision) + ": " + ids.map((i) => "#" + i).join(", "), "ok");
    select(nextOpen(current));
  }

  function currentID() {
    if (current < 0) return [];
    if (rows[current].classList.contains("done")) {
      say(msg.msgDecided, "error");
      return null;
    }
    return [Number(rows[current].dataset.id)];
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
    if (ev.key === "Escape") {
      if (help) help.hidden = true;
      if (typing) t.blur();
      return;
    }
    if (typing) return;
    const keys = {
      j: () => select(current + 1),
      k: () => select(current - 1),
      a: () => decide(currentID(), "approve"),
      r: () => decide(currentID(), "reject"),
      e: () => decide(currentID(), "escalate"),
      A: () => decide(picked(), "approve"),
      R: () => decide(picked(), "reject"),
      E: () => decide(picked(), "escalate"),
      n: () => note && note.focus(),
      u: () => undo(),
      c: () => current >= 0 && selectCampaign(rows[current].dataset.campaign),
      x: () => {
        if (current < 0) return;
        const p = rows[current].querySelector(".pick");
        p.checked = !p.checked;
        updateBulk();
      },
      "/": () => {
        const f = document.querySelector("#filters select");
        if (f) f.focus();
      },
      "?": () => help && (help.hidden = !help.hidden),
    };
    const fn = keys[ev.key];
    if (fn) {
      ev.preventDefault();
      fn();
    }
  });

  rows.forEach((row, i) => {
    row.addEventListener("click", (ev) => {
      if (ev.target.classList.contains("pick")) {
        updateBulk();
        return;
      }
      select(i);
    });
  });
  document.querySelectorAll("[data-decide]").forEach((b) =>
    b.addEventListener("click", () => decide(currentID(), b.dataset.decide))
  );
  document.querySelectorAll(".campaign-select").forEach((b) =>
    b.addEventListener("click", () => selectCampaign(b.dataset.campaign))
  );
  if (undoButton) undoButton.addEventListener("click", () => undo());
  document.querySelectorAll("[data-bulk]").forEach((b) =>
    b.addEventListener("click", () => decide(picked(), b.dataset.bulk))
  );
  if (help) help.addEventListener("click", () => (help.hidden = true));
  updateBulk();
  if (rows.length > 0) select(0);
  document.body.dataset.ready = "1";
})();
