// Kiosk: after the configured seconds without a touch, key or scroll, return to the start screen
// (which forgets the identified person). The start screen itself only reloads.
(function () {
  var script = document.currentScript;
  var start = script.getAttribute("data-start");
  var seconds = parseInt(script.getAttribute("data-seconds"), 10) || 90;
  var timer = null;
  function reset() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { window.location.assign(start); }, seconds * 1000);
  }
  ["pointerdown", "keydown", "scroll", "touchstart", "input"].forEach(function (name) {
    window.addEventListener(name, reset, { passive: true });
  });
  reset();
})();
