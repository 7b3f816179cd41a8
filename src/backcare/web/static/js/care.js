// Home page reminders while the app is open: a check-in nudge in the evening and a movement break
// every N minutes, in the page and (when allowed) as a browser notification. Nothing leaves the
// browser; reminders that work with no page open come from the calendar feed.
(function () {
  "use strict";
  var root = document.getElementById("care-reminder");
  if (!root) { return; }
  var every = parseInt(root.getAttribute("data-break-every"), 10) || 30;
  var checkedIn = root.getAttribute("data-checked-in") === "true";
  var button = document.getElementById("care-notify");

  function notify(title, body) {
    var banner = document.createElement("p");
    banner.className = "notice";
    banner.setAttribute("role", "status");
    banner.textContent = title + ". " + body;
    root.appendChild(banner);
    if ("Notification" in window && Notification.permission === "granted") {
      try { new Notification(title, { body: body }); } catch (e) { /* service-worker-only browsers */ }
    }
  }

  if (button && "Notification" in window && Notification.permission === "default") {
    button.hidden = false;
    button.addEventListener("click", function () {
      Notification.requestPermission().then(function () { button.hidden = true; });
    });
  }
  setTimeout(function tick() {
    notify("Time for a movement break", "Stand up and move for a minute.");
    setTimeout(tick, every * 60 * 1000);
  }, every * 60 * 1000);
  if (!checkedIn) {
    var evening = new Date();
    evening.setHours(20, 0, 0, 0);
    var wait = evening.getTime() - Date.now();
    if (wait > 0) {
      setTimeout(function () {
        notify("Time for your check-in", "Thirty seconds: how was your back today?");
      }, wait);
    }
  }
})();
