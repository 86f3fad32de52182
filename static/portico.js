// Progressive enhancements only: every form works without this file.
document.addEventListener("submit", function (e) {
  var form = e.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
});
document.addEventListener("input", function (e) {
  var into = e.target.getAttribute("data-colour-into");
  if (into) document.getElementById(into).value = e.target.value;
  var from = e.target.getAttribute("data-colour-for");
  if (from && /^#[0-9a-fA-F]{6}$/.test(e.target.value)) document.getElementById(from).value = e.target.value;
});
document.addEventListener("focusin", function (e) {
  if (e.target.classList && e.target.classList.contains("copy")) e.target.select();
});
// The bell's unread count, kept fresh while the page stays open.
(function () {
  var bell = document.querySelector("[data-bell]");
  if (!bell || !window.fetch) return;
  var count = bell.querySelector("[data-bell-count]");
  function refresh() {
    if (document.hidden) return;
    fetch("/notifications/unread", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d || typeof d.unread !== "number") return;
        count.textContent = String(d.unread);
        count.hidden = d.unread === 0;
        bell.setAttribute("aria-label", d.unread ? "Notifications, " + d.unread + " unread" : "Notifications");
      })
      .catch(function () {});
  }
  setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", refresh);
})();
