/* perry.js — the HTML edition's two reading aids; the page works without them.
   Inlined into the page by pandoc (--embed-resources); loads nothing.

   Notes in place: a note marker (a.footnote-ref) shows its note in a popover
   when hovered, focused or tapped (first tap shows, second follows the link
   to the end note); Esc closes it. The marker is described by the popover
   (aria-describedby) and says whether it is open (aria-expanded). The
   end-notes list stays, for print and for readers without scripts.

   Notes in the margin: on very wide screens (MARGIN_QUERY, as perry.css)
   every note is also printed in the right-hand margin beside the line that
   cites it, stacked so that none overlaps the next; hovering or focusing a
   marker then marks its margin note instead of opening the popover. The
   margin is aria-hidden and its links leave the tab order: assistive
   technology reads the marker's popover (its description) and the end notes.

   Contents in view: the contents list (sticky on wide screens, perry.css)
   marks the link of the section being read with aria-current="location".

   A page that puts a new body in place of the old one (perrypress preview)
   fires "perry:stop" on the document first: the listeners this script added
   to the window and the document, and its observer, go with the old body. */
(function () {
  "use strict";

  var HIDE_DELAY_MS = 250;
  var MARGIN_QUERY = "(min-width: 96rem)";  // perry.css: .paper-layout.has-margin-notes
  var MARGIN_GAP_PX = 12;                   // between two stacked margin notes
  var open = null;       // the marker whose popover is shown
  var hideTimer = null;
  var lastPointer = "";  // "touch", "pen" or "mouse": the pointer of the last press
  var openBefore = null; // the marker whose popover was shown when that press began (a tap also focuses)
  var stopping = new AbortController();  // aborted by "perry:stop": removes the window and document listeners
  var quit = { signal: stopping.signal };
  document.addEventListener("perry:stop", function () {
    clearTimeout(hideTimer);
    stopping.abort();
  }, { once: true });

  function noteOf(marker) {
    var id = decodeURIComponent((marker.getAttribute("href") || "").slice(1));
    return id ? document.getElementById(id) : null;
  }

  function makePopover(marker, note, index) {
    var popover = document.createElement("div");
    popover.className = "note-popover";
    popover.id = "note-popover-" + index;
    popover.setAttribute("role", "tooltip");
    popover.hidden = true;
    var number = document.createElement("span");
    number.className = "note-popover-number";
    number.textContent = marker.textContent.trim() + ".";
    popover.appendChild(number);
    var body = note.cloneNode(true);
    body.querySelectorAll(".footnote-back").forEach(function (back) { back.remove(); });
    body.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    while (body.firstChild) { popover.appendChild(body.firstChild); }
    popover.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    popover.addEventListener("mouseleave", function () { hideSoon(); });
    // Inside the main landmark (all content sits in a landmark); absolute to the page, as main is not positioned.
    (document.querySelector("main") || document.body).appendChild(popover);
    marker.setAttribute("aria-describedby", popover.id);
    marker.setAttribute("aria-expanded", "false");
    return popover;
  }

  function place(marker, popover) {
    var mark = marker.getBoundingClientRect();
    var width = popover.offsetWidth;
    var room = document.documentElement.clientWidth;
    var left = Math.min(Math.max(8, mark.left + mark.width / 2 - width / 2), room - width - 8);
    popover.style.left = Math.max(8, left) + window.scrollX + "px";
    popover.style.top = mark.bottom + window.scrollY + 6 + "px";
  }

  function marginShown() {
    var layout = document.querySelector(".paper-layout");
    return !!layout && layout.classList.contains("has-margin-notes");
  }

  function show(marker) {
    clearTimeout(hideTimer);
    if (open === marker) { return; }
    hide();
    if (marginShown()) {
      var beside = document.getElementById("margin-" + marker.getAttribute("aria-describedby"));
      if (beside) { beside.classList.add("is-current"); }
      return;
    }
    var popover = document.getElementById(marker.getAttribute("aria-describedby"));
    popover.hidden = false;
    place(marker, popover);
    marker.setAttribute("aria-expanded", "true");
    open = marker;
  }

  function hide() {
    clearTimeout(hideTimer);
    document.querySelectorAll(".margin-note.is-current").forEach(function (note) {
      note.classList.remove("is-current");
    });
    if (!open) { return; }
    document.getElementById(open.getAttribute("aria-describedby")).hidden = true;
    open.setAttribute("aria-expanded", "false");
    open = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY_MS);
  }

  function notesInPlace() {
    var markers = document.querySelectorAll("a.footnote-ref");
    markers.forEach(function (marker, index) {
      var note = noteOf(marker);
      if (!note) { return; }
      makePopover(marker, note, index + 1);
      marker.addEventListener("mouseenter", function () { show(marker); });
      marker.addEventListener("mouseleave", hideSoon);
      marker.addEventListener("focus", function () { show(marker); });
      marker.addEventListener("blur", hideSoon);
      marker.addEventListener("pointerdown", function (event) {
        lastPointer = event.pointerType;
        openBefore = open;
      });
      marker.addEventListener("click", function (event) {
        // A tap shows the note in place; a second tap on the same marker goes to the end note.
        if (lastPointer !== "mouse" && lastPointer !== "" && openBefore !== marker) {
          openBefore = marker;
          event.preventDefault();
          show(marker);
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && open) { hide(); }
    }, quit);
    document.addEventListener("pointerdown", function (event) {
      if (open && !event.target.closest(".note-popover, a.footnote-ref")) { hide(); }
    }, quit);
    window.addEventListener("resize", function () {
      if (open) { place(open, document.getElementById(open.getAttribute("aria-describedby"))); }
    }, quit);
  }

  function marginNotes() {
    var layout = document.querySelector(".paper-layout");
    if (!layout || !window.matchMedia) { return; }
    var media = window.matchMedia(MARGIN_QUERY);
    var column = document.createElement("div");
    column.className = "margin-notes";
    column.setAttribute("aria-hidden", "true");
    var placed = [];
    document.querySelectorAll("a.footnote-ref[aria-describedby]").forEach(function (marker) {
      var popover = document.getElementById(marker.getAttribute("aria-describedby"));
      if (!popover) { return; }
      var note = document.createElement("div");
      note.className = "margin-note";
      note.id = "margin-" + popover.id;
      popover.childNodes.forEach(function (child) { note.appendChild(child.cloneNode(true)); });
      note.querySelectorAll("a, [tabindex]").forEach(function (el) { el.setAttribute("tabindex", "-1"); });
      column.appendChild(note);
      placed.push({ marker: marker, note: note });
    });
    if (!placed.length) { return; }
    layout.appendChild(column);

    function lay() {
      layout.classList.toggle("has-margin-notes", media.matches);
      if (!media.matches) { return; }
      // Each note at the top of its marker's line, or just under the note before it.
      var origin = column.getBoundingClientRect().top;
      var next = 0;
      placed.forEach(function (item) {
        var top = Math.max(item.marker.getBoundingClientRect().top - origin, next);
        item.note.style.top = top + "px";
        next = top + item.note.offsetHeight + MARGIN_GAP_PX;
      });
      column.style.height = next + "px";
    }
    lay();
    window.addEventListener("resize", lay, quit);
    window.addEventListener("load", lay, quit);
    if (media.addEventListener) { media.addEventListener("change", lay, quit); }
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(function () { if (!stopping.signal.aborted) { lay(); } });
    }
  }

  function contentsInView() {
    var toc = document.getElementById("TOC");
    if (!toc || !("IntersectionObserver" in window)) { return; }
    var links = Array.prototype.filter.call(toc.querySelectorAll('a[href^="#"]'), function (link) {
      return document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    });
    var targets = links.map(function (link) {
      return document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    });
    function mark() {
      // The section being read: the last one whose top has passed the upper third of the window.
      var line = window.innerHeight / 3;
      var current = -1;
      targets.forEach(function (target, i) {
        if (target.getBoundingClientRect().top <= line) { current = i; }
      });
      links.forEach(function (link, i) {
        if (i === current) { link.setAttribute("aria-current", "location"); }
        else { link.removeAttribute("aria-current"); }
      });
    }
    var observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -66% 0px", threshold: [0, 1] });
    targets.forEach(function (target) { observer.observe(target); });
    stopping.signal.addEventListener("abort", function () { observer.disconnect(); });
    mark();
  }

  notesInPlace();
  marginNotes();
  contentsInView();
}());
