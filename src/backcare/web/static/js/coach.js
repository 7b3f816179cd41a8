/* backcare live posture coach.
 *
 * The webcam picture stays in this browser: MediaPipe Pose (npm package @mediapipe/pose, served
 * by this app from /static/vendor) finds 33 body points in each video frame, the skeleton is drawn
 * on a canvas over the video, and only the points (world landmarks in metres, their visibility and
 * a timestamp) go over the WebSocket /ws/coach, at most data-max-rate frames a second. The server
 * answers each frame with trunk and neck angles, a REBA score and reminders.
 */
(function () {
  "use strict";

  var root = document.getElementById("coach");
  if (!root) {
    return;
  }
  var poseBase = root.dataset.poseBase;
  var maxRate = parseFloat(root.dataset.maxRate) || 30;
  var minGapMs = 1000 / maxRate;

  var video = document.getElementById("coach-video");
  var canvas = document.getElementById("coach-canvas");
  var ctx = canvas.getContext("2d");
  var startBtn = document.getElementById("coach-start");
  var calibrateBtn = document.getElementById("coach-calibrate");
  var stopBtn = document.getElementById("coach-stop");
  var modelSel = document.getElementById("coach-model");
  var statusEl = document.getElementById("coach-status");
  var breakEl = document.getElementById("coach-break");
  var alertsEl = document.getElementById("coach-alerts");
  var savedEl = document.getElementById("coach-saved");
  var rebaEl = document.getElementById("coach-reba");
  var activityEl = document.getElementById("coach-activity");
  // The server names activities by code; the page shows words.
  var ACTIVITY_WORDS = {
    unknown: "not clear", sit: "sitting", stand: "standing", move: "moving about",
    walk: "walking", lie: "lying", kneel: "kneeling"
  };
  function activityWords(code) {
    var key = String(code || "unknown");
    return ACTIVITY_WORDS[key] || key.replace(/_/g, " ");
  }
  var sentEl = document.getElementById("coach-sent");
  var serverFramesEl = document.getElementById("coach-server-frames");
  var procEl = document.getElementById("coach-proc");
  var ANGLES = [
    "trunk_flexion",
    "trunk_lateral",
    "neck_flexion",
    "head_inclination",
    "shoulder_asymmetry",
  ];

  var pose = null;
  var socket = null;
  var stream = null;
  var running = false;
  var seq = 0;
  var lastSent = -Infinity;
  var alertCount = 0;

  function status(text) {
    statusEl.textContent = text;
  }

  function socketOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  function send(message) {
    if (socketOpen()) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  /* -- drawing ------------------------------------------------------------------------------ */
  function drawSkeleton(points) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!points) {
      return;
    }
    var w = canvas.width;
    var h = canvas.height;
    var connections = window.POSE_CONNECTIONS || [];
    ctx.lineWidth = 4;
    ctx.strokeStyle = "rgba(0, 220, 120, 0.9)";
    connections.forEach(function (pair) {
      var a = points[pair[0]];
      var b = points[pair[1]];
      if (!a || !b || (a.visibility || 0) < 0.5 || (b.visibility || 0) < 0.5) {
        return;
      }
      ctx.beginPath();
      ctx.moveTo(a.x * w, a.y * h);
      ctx.lineTo(b.x * w, b.y * h);
      ctx.stroke();
    });
    points.forEach(function (p) {
      if ((p.visibility || 0) < 0.5) {
        return;
      }
      ctx.beginPath();
      ctx.fillStyle = "rgba(255, 255, 255, 0.95)";
      ctx.arc(p.x * w, p.y * h, 4, 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  /* -- results from the pose model -> the server ---------------------------------------------- */
  function landmarks(results) {
    var world = results.poseWorldLandmarks;
    if (!world || world.length !== 33) {
      return null;
    }
    var image = results.poseLandmarks || [];
    var out = new Array(132);
    for (var i = 0; i < 33; i++) {
      var p = world[i];
      var vis = p.visibility;
      if (typeof vis !== "number" && image[i]) {
        vis = image[i].visibility;
      }
      out[4 * i] = p.x;
      out[4 * i + 1] = p.y;
      out[4 * i + 2] = p.z;
      out[4 * i + 3] = typeof vis === "number" ? Math.min(1, Math.max(0, vis)) : 0;
    }
    return out;
  }

  function onResults(results) {
    if (video.videoWidth && canvas.width !== video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
    }
    drawSkeleton(results.poseLandmarks || null);
    if (send({ type: "frame", seq: seq, t: performance.now(), lm: landmarks(results) })) {
      seq += 1;
      sentEl.textContent = String(seq);
    }
  }

  /* -- replies from the server ------------------------------------------------------------------ */
  function showAngle(name, value) {
    var el = document.getElementById("angle-" + name);
    if (el) {
      el.textContent = value === null || value === undefined ? "–" : value.toFixed(0) + "°";
    }
  }

  function showReba(reba) {
    rebaEl.className = "reba";
    if (reba.score === null || reba.score === undefined) {
      rebaEl.textContent = "–";
      return;
    }
    rebaEl.textContent = (reba.partial ? "≥ " : "") + reba.score + " (" + reba.risk + ")";
    rebaEl.classList.add("level-" + reba.level);
  }

  function showBreak(message) {
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("backcare: time for a break", { body: message });
      return;
    }
    breakEl.textContent = message;
    breakEl.hidden = false;
  }

  function addAlert(alert) {
    if (alertCount === 0) {
      alertsEl.textContent = "";
    }
    alertCount += 1;
    var li = document.createElement("li");
    var when = new Date().toLocaleTimeString();
    li.textContent = when + ": " + (alert.message || alert.rule_id);
    alertsEl.insertBefore(li, alertsEl.firstChild);
    if (alert["break"]) {
      showBreak(alert.message);
    }
  }

  function onMessage(event) {
    var msg;
    try {
      msg = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (msg.type === "frame") {
      serverFramesEl.textContent = String(msg.frames);
      if (typeof msg.proc_ms === "number") {
        procEl.textContent = msg.proc_ms.toFixed(1) + " ms";
      }
      if (!msg.accepted) {
        return;
      }
      ANGLES.forEach(function (name) {
        showAngle(name, msg.angles ? msg.angles[name] : null);
      });
      showReba(msg.reba || {});
      activityEl.textContent = msg.pose ? activityWords(msg.activity) : "nobody in view";
      (msg.alerts || []).forEach(addAlert);
    } else if (msg.type === "calibrated") {
      var parts = Object.keys(msg.offsets).map(function (name) {
        return name.replace("_", " ") + " " + msg.offsets[name] + "°";
      });
      status(
        "Calibrated: your neutral " + parts.join(", ") + " is now zero" +
          (msg.levelled ? "; camera pitch " + msg.pitch_deg + "°." : " (camera not levelled: hips out of view).")
      );
    } else if (msg.type === "saved") {
      status(msg.session_id ? "Stopped; the session is saved." : "Stopped.");
      savedEl.hidden = false;
      if (msg.session_id) {
        savedEl.textContent = "";
        if (msg.headline) {
          var lead = document.createElement("span");
          lead.className = "headline";
          lead.textContent = msg.headline + " ";
          savedEl.appendChild(lead);
        }
        savedEl.appendChild(document.createTextNode("Session saved (" + msg.duration_s + " s). "));
        var link = document.createElement("a");
        link.href = "/progress";
        link.textContent = "See it in your progress.";
        savedEl.appendChild(link);
      } else {
        savedEl.textContent = "Nothing saved: " + msg.reason + ".";
      }
    } else if (msg.type === "error") {
      status("Server: " + msg.message);
    }
  }

  /* -- the loop ------------------------------------------------------------------------------- */
  function nextTick() {
    return new Promise(function (resolve) {
      if (document.hidden) {
        setTimeout(resolve, minGapMs);
      } else {
        requestAnimationFrame(function () {
          resolve();
        });
      }
    });
  }

  async function loop() {
    while (running) {
      var now = performance.now();
      if (video.readyState >= 2 && now - lastSent >= minGapMs) {
        lastSent = now;
        try {
          await pose.send({ image: video });
        } catch (err) {
          status("The pose model stopped: " + err);
          stop();
          return;
        }
      }
      await nextTick();
    }
  }

  function openSocket() {
    return new Promise(function (resolve, reject) {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(scheme + location.host + "/ws/coach");
      ws.onopen = function () {
        resolve(ws);
      };
      ws.onerror = function () {
        reject(new Error("could not connect to the coach"));
      };
      ws.onmessage = onMessage;
      ws.onclose = function () {
        if (running) {
          status("The connection to the server closed.");
          stopCamera();
        }
      };
    });
  }

  async function start() {
    startBtn.disabled = true;
    modelSel.disabled = true;
    savedEl.hidden = true;
    breakEl.hidden = true;
    try {
      if ("Notification" in window && Notification.permission === "default") {
        Notification.requestPermission();
      }
      status("Opening the camera…");
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
      video.srcObject = stream;
      await video.play();
      status("Loading the pose model…");
      pose = new window.Pose({
        locateFile: function (file) {
          return poseBase + file;
        },
      });
      pose.setOptions({
        modelComplexity: parseInt(modelSel.value, 10),
        smoothLandmarks: true,
        enableSegmentation: false,
        minDetectionConfidence: 0.5,
        minTrackingConfidence: 0.5,
      });
      pose.onResults(onResults);
      await pose.initialize();
      socket = await openSocket();
      running = true;
      seq = 0;
      calibrateBtn.disabled = false;
      stopBtn.disabled = false;
      status("Running. Only body points are sent to the server.");
      loop();
    } catch (err) {
      status("Could not start: " + (err && err.message ? err.message : err));
      stopCamera();
      startBtn.disabled = false;
      modelSel.disabled = false;
    }
  }

  function stopCamera() {
    running = false;
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    if (pose) {
      pose.close();
      pose = null;
    }
    calibrateBtn.disabled = true;
    stopBtn.disabled = true;
    startBtn.disabled = false;
    modelSel.disabled = false;
  }

  function stop() {
    var wasOpen = send({ type: "stop" });
    stopCamera();
    drawSkeleton(null);
    status(wasOpen ? "Stopped; saving the session…" : "Stopped.");
  }

  startBtn.addEventListener("click", start);
  stopBtn.addEventListener("click", stop);
  calibrateBtn.addEventListener("click", function () {
    if (send({ type: "calibrate" })) {
      status("Calibrating from the last seconds…");
    }
  });
})();
