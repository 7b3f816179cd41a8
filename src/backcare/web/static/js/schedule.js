// Break reminders on the schedule page: a banner (and a browser notification when allowed) when a
// micro-break is due while the page is open. Without JavaScript the page still lists the next due
// time and the "done" buttons; this only adds the reminder.
(function () {
  "use strict";
  var root = document.getElementById("schedule-reminder");
  if (!root) { return; }
  var banner = document.getElementById("break-banner");
  var every = parseInt(root.getAttribute("data-every-min"), 10);
  var length = parseInt(root.getAttribute("data-length-min"), 10) || 1;
  var enabled = root.getAttribute("data-reminders") === "true";
  var dueAt = Date.parse(root.getAttribute("data-next-due"));
  var csrf = root.getAttribute("data-csrf");
  if (!enabled || !every || isNaN(dueAt)) { return; }
  var shown = false;

  function record() {
    // Tell the server a break fell due, so missed breaks count in the weekly adherence.
    var body = new URLSearchParams();
    body.set("kind", "break");
    body.set("csrf_token", csrf);
    fetch("/schedule/due", {
      method: "POST",
      headers: { "X-CSRF-Token": csrf },
      body: body,
      credentials: "same-origin"
    }).catch(function () { /* the banner still shows */ });
  }

  function notify() {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    try {
      new Notification("Time for a micro-break", {
        body: "Stand up and move for about " + length + " minute" + (length === 1 ? "" : "s") + "."
      });
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  function tick() {
    if (shown || Date.now() < dueAt) { return; }
    shown = true;
    banner.hidden = false;
    record();
    notify();
  }

  var ask = document.getElementById("allow-notifications");
  if (ask && "Notification" in window && Notification.permission === "default") {
    ask.hidden = false;
    ask.addEventListener("click", function () {
      Notification.requestPermission().then(function () { ask.hidden = true; });
    });
  }
  window.setInterval(tick, 15000);
  tick();
})();
