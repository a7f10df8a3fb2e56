// Kizuna deals: drag-and-drop pipeline board (SortableJS), keyboard "move to", customer pickers.
// Every move is a POST to the deal's move endpoint (deal_move_stage on the server); a refused move
// puts the card back where it was and shows the coded reason in a toast.
(function () {
  "use strict";

  function toast(text, kind) {
    if (window.kizunaToast) { window.kizunaToast(text, kind); }
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      var input = document.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }
  }

  function texts() {
    var node = document.getElementById("board-texts");
    return node ? JSON.parse(node.textContent) : {};
  }

  function askLostReason(done) {
    var dialog = document.getElementById("lost-reason-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      var answer = window.prompt(document.getElementById("lost-reason-title").textContent);
      done(answer && answer.trim() ? answer.trim() : null);
      return;
    }
    var input = document.getElementById("lost-reason-input");
    input.value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      done(dialog.returnValue === "ok" && input.value.trim() ? input.value.trim() : null);
    });
    dialog.showModal();
    input.focus();
  }

  function updateColumns(board, columns) {
    Object.keys(columns).forEach(function (stageId) {
      var section = board.querySelector('.board-column[data-stage-id="' + stageId + '"]');
      if (!section) { return; }
      var stats = columns[stageId];
      section.querySelector('[data-stat="count"]').textContent = stats.count.toLocaleString();
      section.querySelector('[data-stat="total"]').textContent = stats.total_text;
      section.querySelector('[data-stat="weighted"]').textContent = stats.weighted_text;
    });
  }

  function syncCard(card, stageId, version) {
    card.dataset.stageId = stageId;
    card.dataset.version = version;
  }

  // Send the move; ``snapBack`` undoes the optimistic DOM move when the server refuses.
  function sendMove(board, card, stageId, reason, snapBack) {
    var body = new FormData();
    body.append("stage", stageId);
    body.append("version", card.dataset.version);
    body.append("lost_reason", reason || "");
    card.setAttribute("aria-busy", "true");
    fetch(card.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (data) {
        return {ok: response.ok, data: data};
      }, function () {
        return {ok: false, data: {message: texts().failed + " (HTTP " + response.status + ")"}};
      });
    }).then(function (result) {
      card.removeAttribute("aria-busy");
      if (result.ok && result.data.ok) {
        syncCard(card, String(result.data.deal.stage), String(result.data.deal.version));
        updateColumns(board, result.data.columns);
        toast(result.data.message, "success");
      } else {
        snapBack();
        toast(result.data.message || texts().failed, "error");
      }
    }).catch(function () {
      card.removeAttribute("aria-busy");
      snapBack();
      toast(texts().network, "error");
    });
  }

  function move(board, card, toList, from, oldIndex, reason) {
    var snapBack = function () {
      from.insertBefore(card, from.children[oldIndex] || null);
      card.classList.add("refused");
      setTimeout(function () { card.classList.remove("refused"); }, 1500);
    };
    var stageId = toList.dataset.stageId;
    if (toList.dataset.lost && !reason) {
      askLostReason(function (answer) {
        if (answer === null) { snapBack(); toast(texts().cancelled, "error"); return; }
        sendMove(board, card, stageId, answer, snapBack);
      });
      return;
    }
    sendMove(board, card, stageId, reason, snapBack);
  }

  function initBoard(board) {
    var lists = board.querySelectorAll(".board-cards");
    if (window.Sortable) {
      lists.forEach(function (list) {
        window.Sortable.create(list, {
          group: "deals",
          sort: false,
          animation: 150,
          filter: ".move-button",
          preventOnFilter: false,
          delay: 150,
          delayOnTouchOnly: true,
          ghostClass: "drag-ghost",
          onEnd: function (evt) {
            if (evt.to === evt.from) { return; }
            move(board, evt.item, evt.to, evt.from, evt.oldIndex, "");
          }
        });
      });
    }
    // Keyboard (and no-drag) alternative: the card's "Move to…" button opens a dialog.
    board.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (button) { openMoveDialog(board, button.closest(".deal-card")); }
    });
  }

  function openMoveDialog(board, card) {
    var dialog = document.getElementById("move-dialog");
    var select = document.getElementById("move-dialog-stage");
    var reason = document.getElementById("move-dialog-reason");
    document.getElementById("move-dialog-deal").textContent = card.querySelector(".deal-card-title").textContent;
    select.value = card.dataset.stageId;
    reason.value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      var from = card.parentElement;
      var toList = board.querySelector('.board-cards[data-stage-id="' + select.value + '"]');
      if (dialog.returnValue !== "ok" || !toList || toList === from) { return; }
      var oldIndex = Array.prototype.indexOf.call(from.children, card);
      toList.insertBefore(card, toList.firstChild);
      card.querySelector("[data-move]").focus();
      move(board, card, toList, from, oldIndex, reason.value.trim());
    });
    dialog.showModal();
    select.focus();
  }

  // Customer pickers on the deal form: a search result fills the id field it names.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill]");
    if (!button) { return; }
    var input = document.getElementById(button.dataset.fill);
    if (!input) { return; }
    input.value = button.dataset.value;
    var chosen = document.getElementById(button.dataset.fill + "_chosen");
    if (chosen) { chosen.textContent = button.dataset.label; }
    var results = button.closest(".lookup-results");
    if (results) { results.innerHTML = ""; }
    input.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-board]").forEach(initBoard);
  });
})();
