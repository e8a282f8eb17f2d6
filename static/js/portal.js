// cot-portal: small progressive enhancements. Everything works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The language picker submits itself when changed; the button stays for keyboard users.
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
