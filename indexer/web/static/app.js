// Progressive enhancement only: search, results and reading all work without this file.
// - "Copy" buttons put a citation on the clipboard (without JS the <pre> text is selectable);
// - "Cite" on a hit shows its citations in place instead of going to the report page;
// - ticking a filter box applies it at once (without JS: the "Apply filters" button).
"use strict";

(function () {
  function revealCopyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
  }

  function flash(button, text) {
    button.textContent = text;
    setTimeout(function () { button.textContent = "Copy"; }, 1800);
  }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(button) {
    var pre = button.closest(".cite-format").querySelector("pre");
    if (!navigator.clipboard) {  // only on plain http from another host: let the user copy
      selectText(pre);
      flash(button, "Press Ctrl+C");
      return;
    }
    navigator.clipboard.writeText(pre.textContent).then(
      function () { flash(button, "Copied"); },
      function () { selectText(pre); flash(button, "Press Ctrl+C"); }
    );
  }

  function toggleCite(link) {
    var hit = link.closest(".hit");
    var box = hit.querySelector(".cite-box");
    if (box) {
      box.hidden = !box.hidden;
      link.setAttribute("aria-expanded", String(!box.hidden));
      return;
    }
    fetch(link.dataset.citeUrl, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        var template = document.getElementById("cite-template");
        box = template.content.firstElementChild.cloneNode(true);
        box.querySelector(".cite-where").textContent = "at " + link.dataset.where;
        box.querySelectorAll(".cite-format").forEach(function (part) {
          part.querySelector("pre").textContent = data.citations[part.dataset.format] || "";
        });
        revealCopyButtons(box);
        hit.appendChild(box);
        link.setAttribute("aria-expanded", "true");
      })
      .catch(function () { window.location.href = link.href; });
  }

  document.addEventListener("click", function (event) {
    var copyButton = event.target.closest("button[data-copy]");
    if (copyButton) {
      copy(copyButton);
      return;
    }
    var cite = event.target.closest("a[data-cite-url]");
    if (cite && event.button === 0 && !(event.ctrlKey || event.metaKey || event.shiftKey)) {
      event.preventDefault();
      toggleCite(cite);
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type === "checkbox" && box.form && box.form.hasAttribute("data-autosubmit")) {
      box.form.requestSubmit();
    }
  });

  revealCopyButtons(document);
})();
