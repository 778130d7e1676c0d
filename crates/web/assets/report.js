// 随手拍: the "use my phone's location" button fills the coordinates from the browser's
// geolocation (no map service is asked); without JavaScript or a location the fields stay as typed.
(function () {
  var b = document.getElementById("locate");
  if (!b || !navigator.geolocation) return;
  var s = document.getElementById("locate-status");
  b.hidden = false;
  b.addEventListener("click", function () {
    s.textContent = b.getAttribute("data-busy");
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("lat").value = p.coords.latitude.toFixed(6);
      document.getElementById("long").value = p.coords.longitude.toFixed(6);
      s.textContent = b.getAttribute("data-done");
    }, function () {
      s.textContent = b.getAttribute("data-failed");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
