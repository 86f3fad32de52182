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
