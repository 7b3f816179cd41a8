// The session player: one exercise at a time with a repetition counter or a timer, Next and Skip,
// then "how was it?". Without JavaScript the whole session shows as one form with a tick box per
// exercise, and it saves the same way.
(function () {
  "use strict";
  var form = document.getElementById("player");
  if (!form) { return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var index = 0;
  form.classList.add("js");

  function show(i) {
    steps.forEach(function (s, j) { s.classList.toggle("current", j === i); });
    index = i;
    var heading = steps[i].querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function leave(step, did) {
    var box = step.querySelector(".done-box input");
    if (box) { box.checked = did; }
    if (index + 1 < steps.length) { show(index + 1); }
  }

  steps.forEach(function (step) {
    var nav = step.querySelector(".step-nav");
    var counter = step.querySelector(".counter");
    if (nav) { nav.hidden = false; }
    if (counter) { counter.hidden = false; }
    var next = step.querySelector(".next");
    var skip = step.querySelector(".skip");
    if (next) { next.addEventListener("click", function () { leave(step, true); }); }
    if (skip) { skip.addEventListener("click", function () { leave(step, false); }); }

    var sets = parseInt(step.getAttribute("data-sets"), 10) || 1;
    var reps = parseInt(step.getAttribute("data-reps"), 10);
    var perSide = step.getAttribute("data-per-side") === "true";
    var setEl = step.querySelector(".set");
    var rep = step.querySelector(".rep");
    if (rep && reps) {
      var count = 0;
      var set = 1;
      var target = perSide ? reps * 2 : reps;
      var countEl = step.querySelector(".count");
      rep.addEventListener("click", function () {
        count += 1;
        if (count >= target && set < sets) { count = 0; set += 1; }
        countEl.textContent = String(Math.min(count, target));
        setEl.textContent = String(set);
      });
    }
    var timer = step.querySelector(".timer");
    if (timer) {
      var seconds = parseInt(step.getAttribute("data-hold"), 10) ||
        (parseInt(step.getAttribute("data-minutes"), 10) || 1) * 60;
      var clock = step.querySelector(".clock");
      var round = 1;
      var running = null;
      timer.addEventListener("click", function () {
        if (running) { return; }
        var left = seconds;
        clock.textContent = String(left);
        running = setInterval(function () {
          left -= 1;
          clock.textContent = String(Math.max(left, 0));
          if (left <= 0) {
            clearInterval(running);
            running = null;
            if (round < sets) { round += 1; setEl.textContent = String(round); }
            timer.textContent = "Start again";
          }
        }, 1000);
      });
    }
  });
  show(0);
})();
