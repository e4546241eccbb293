// Small behaviours that CSP allows (no inline scripts).
document.documentElement.classList.add("js");

// Confirm before destructive posts.
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});

// Small screens: the "Menu" button opens and closes the navigation.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".nav-toggle");
  if (!toggle) return;
  const header = toggle.closest(".site-header");
  const open = !header.classList.contains("nav-open");
  header.classList.toggle("nav-open", open);
  toggle.setAttribute("aria-expanded", String(open));
});

// Wide screens: keep the header on one row. Links that do not fit move, from the
// last one back, into a "More" menu at the end of the navigation.
(() => {
  const SMALL = window.matchMedia("(max-width: 767px)");
  let nav, mainNav, original;

  // Wrapped when an item starts below the bottom of another (items of one row differ
  // only in their vertical alignment), or when the row overflows the header.
  const wraps = () => {
    const boxes = [...nav.querySelectorAll(":scope > ul > li")]
      .filter((li) => li.offsetParent !== null)
      .map((li) => li.getBoundingClientRect());
    if (!boxes.length) return false;
    const firstBottom = Math.min(...boxes.map((box) => box.bottom));
    return (
      boxes.some((box) => box.top >= firstBottom - 1) ||
      nav.scrollWidth > nav.clientWidth + 1 ||
      mainNav.scrollWidth > mainNav.clientWidth + 1
    );
  };

  const fit = () => {
    mainNav.innerHTML = original;
    if (SMALL.matches) return;
    const more = document.createElement("li");
    more.className = "nav-more";
    more.innerHTML = '<details class="dropdown"><summary>More</summary><ul dir="rtl"></ul></details>';
    const list = more.querySelector("ul");
    mainNav.appendChild(more);
    more.hidden = true;
    if (!wraps()) return more.remove();
    more.hidden = false;
    let links = [...mainNav.querySelectorAll(":scope > li:not(.nav-more)")];
    while (wraps() && links.length > 1) {
      const li = links.pop();
      // A dropdown of links moves as its links.
      const inner = [...li.querySelectorAll("details.dropdown li")];
      if (inner.length) {
        inner.reverse().forEach((item) => list.prepend(item));
        li.remove();
      } else {
        list.prepend(li);
      }
    }
  };

  const start = () => {
    nav = document.querySelector(".site-header nav");
    mainNav = document.getElementById("main-nav");
    if (!nav || !mainNav) return;
    original = mainNav.innerHTML;
    fit();
    let pending;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(fit, 100);
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
