// trove UI: keyboard navigation only. The pages work without it.
//   /  focus the search box      j / k  next / previous item in a list
//   Enter  open the selected item     u  back to the results
(function () {
  'use strict';
  var items = function () { return Array.prototype.slice.call(document.querySelectorAll('#list .hit')); };
  var current = -1;
  function select(i) {
    var list = items();
    if (!list.length) return;
    current = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (el, n) { el.classList.toggle('selected', n === current); el.setAttribute('aria-selected', n === current ? 'true' : 'false'); });
    list[current].scrollIntoView({ block: 'nearest' });
    var a = list[current].querySelector('a.subject');
    if (a) a.focus({ preventScroll: true });
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
    if (typing) {
      if (e.key === 'Escape') t.blur();
      return;
    }
    if (e.key === '/') {
      e.preventDefault();
      var q = document.getElementById('q');
      if (q) { q.focus(); q.select(); }
    } else if (e.key === 'j') {
      select(current + 1);
    } else if (e.key === 'k') {
      select(current - 1);
    } else if (e.key === 'Enter' && current >= 0) {
      var el = items()[current];
      if (el && el.dataset.href && document.activeElement === document.body) { e.preventDefault(); location.href = el.dataset.href; }
    } else if (e.key === 'u') {
      var back = document.querySelector('[data-key="u"]');
      if (back) { e.preventDefault(); history.length > 1 ? history.back() : (location.href = back.getAttribute('href')); }
    }
  });
  document.addEventListener('click', function (e) {
    var hit = e.target.closest && e.target.closest('#list .hit');
    if (hit && !e.target.closest('a')) location.href = hit.dataset.href;
  });
})();
