// Small behaviours that CSP allows (no inline scripts): confirm before destructive posts.
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
