// The emulator's hosted checkout: pays with fetch and JSON, and when it is embedded talks to
// Dintero's Web SDK in the parent window with postMessage (see emulator/README.md,
// "The page protocol").
(function () {
  "use strict";
  var dataEl = document.getElementById("checkout-data");
  if (!dataEl) return;
  var cfg = JSON.parse(dataEl.textContent);
  var sid = cfg.sid;
  var inFrame;
  try {
    inFrame = window.top !== window.self;
  } catch (e) {
    inFrame = true;
  }
  var embedded = cfg.ui === "inline" || inFrame;
  if (embedded) document.body.classList.add("inline");

  // What the page posted and which posts the SDK acknowledged (read by the browser tests).
  var sent = (window.dinteroSent = []);
  var acks = (window.dinteroAcks = []);
  var counter = 0;
  function post(type, data) {
    if (!embedded || !window.parent || window.parent === window) return;
    var msg = { type: type, sid: sid, mid: "m" + ++counter + "-" + Date.now() };
    if (data) for (var k in data) if (data[k] !== undefined && data[k] !== null) msg[k] = data[k];
    sent.push(msg);
    window.parent.postMessage(msg, "*");
  }

  // Every link out of the page opens in the top window, never inside the frame.
  Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
    a.target = "_top";
  });

  // Height: the content's, so the iframe never grows just because it is tall.
  var main = document.getElementById("checkout");
  var lastHeight = -1;
  // Once a final event is posted the SDK replaces this document with /embedResult/; a late
  // height from this one must not overwrite that page's.
  var frozen = false;
  function reportHeight() {
    if (frozen) return;
    var body = getComputedStyle(document.body);
    var m = getComputedStyle(main);
    var h = Math.ceil(
      main.getBoundingClientRect().bottom + window.scrollY + parseFloat(m.marginBottom || "0") + parseFloat(body.paddingBottom || "0")
    );
    if (h !== lastHeight) {
      lastHeight = h;
      post("HeightChanged", { height: h });
    }
  }
  if (embedded && main) {
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(main);
    window.addEventListener("load", reportHeight);
  }

  if (cfg.state === "not_found") {
    post("SessionNotFound");
    reportHeight();
    return;
  }
  if (cfg.state === "result") {
    reportHeight();
    return;
  }

  var session = cfg.session;
  var form = document.getElementById("pay-form");
  var cancelForm = document.getElementById("cancel-form");
  var payButton = document.getElementById("pay-button");
  var errorEl = document.getElementById("error");
  var noticeEl = document.getElementById("notice");
  var resultEl = document.getElementById("result");
  var declines = 0;
  var busy = false;
  var lockedByShop = !!cfg.locked;
  var pendingValidation = null;

  function show(el, text) {
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }
  function setBusy(on, text) {
    busy = on;
    if (payButton) payButton.disabled = on || lockedByShop;
    Array.prototype.forEach.call(document.querySelectorAll(".cancel"), function (b) {
      b.disabled = on;
    });
    show(noticeEl, on ? text : lockedByShop ? LOCKED_TEXT : "");
  }
  var LOCKED_TEXT = "The shop is updating your order. This takes a moment.";
  function setLocked(on) {
    lockedByShop = on;
    if (payButton) payButton.disabled = busy || on;
    if (!busy) show(noticeEl, on ? LOCKED_TEXT : "");
  }

  function methodInputs() {
    return Array.prototype.slice.call(document.querySelectorAll("input[name=payment_product_type]"));
  }
  function selectedMethod() {
    var radios = methodInputs();
    for (var i = 0; i < radios.length; i++) if (radios[i].checked) return radios[i].value;
    return radios.length ? radios[0].value : null;
  }
  function showFields(type) {
    Array.prototype.forEach.call(document.querySelectorAll(".fields"), function (f) {
      var on = f.getAttribute("data-method") === type;
      f.hidden = !on;
      Array.prototype.forEach.call(f.querySelectorAll("input"), function (i) {
        i.disabled = !on;
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll(".hint[data-method]"), function (h) {
      h.hidden = h.getAttribute("data-method") !== type;
    });
  }
  function selectMethod(type, announce) {
    var radios = methodInputs();
    var found = false;
    radios.forEach(function (r) {
      if (r.value === type) {
        r.checked = true;
        found = true;
      }
    });
    if (!found) return;
    showFields(type);
    if (announce) post("ActivePaymentProductType", { payment_product_type: type });
  }
  methodInputs().forEach(function (r) {
    r.addEventListener("change", function () {
      show(errorEl, "");
      selectMethod(r.value, true);
    });
  });

  function json(method, url, body) {
    var init = { method: method, headers: { accept: "application/json" }, credentials: "same-origin" };
    if (body) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      return r.json().then(
        function (j) {
          return { status: r.status, body: j };
        },
        function () {
          return { status: r.status, body: {} };
        }
      );
    });
  }
  function errorText(body) {
    return (body && body.error && body.error.message) || "Something went wrong. Please try again.";
  }

  // The end of the checkout: show it here; embedded, tell the SDK (which decides where the
  // customer goes), otherwise go to the shop's return_url.
  function finish(type, data, kind, title, text) {
    if (form) form.hidden = true;
    if (cancelForm) cancelForm.hidden = true;
    Array.prototype.forEach.call(document.querySelectorAll(".hint"), function (h) {
      h.hidden = true;
    });
    show(errorEl, "");
    show(noticeEl, "");
    if (resultEl) {
      resultEl.className = "result " + kind;
      resultEl.innerHTML = "";
      var icon = document.createElement("div");
      icon.className = "icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = kind === "ok" ? "\u2713" : kind === "wait" ? "\u2026" : "!";
      var h = document.createElement("h2");
      h.textContent = title;
      var p = document.createElement("p");
      p.textContent = text;
      resultEl.appendChild(icon);
      resultEl.appendChild(h);
      resultEl.appendChild(p);
      resultEl.hidden = false;
    }
    if (embedded) {
      frozen = true;
      post(type, data);
      post("ScrollToTop");
    } else if (data.href) {
      window.location.assign(data.href);
    }
  }

  function handlePaid(r) {
    setBusy(false);
    if (r.status === 404) {
      post("SessionNotFound");
      show(errorEl, "This checkout no longer exists.");
      return;
    }
    if (r.status !== 200) {
      show(errorEl, errorText(r.body));
      post("ScrollToTop");
      return;
    }
    var b = r.body;
    var ids = { transaction_id: b.transaction_id, merchant_reference: b.merchant_reference, href: b.redirect_url };
    switch (b.result) {
      case "authorized":
      case "captured":
        finish("SessionPaymentAuthorized", ids, "ok", "Payment received", "Thank you. Your payment is complete.");
        break;
      case "on_hold":
        finish("SessionPaymentOnHold", ids, "wait", "Order received", b.message);
        break;
      case "cancelled":
        finish("SessionCancel", { merchant_reference: b.merchant_reference, href: b.redirect_url }, "bad", "Payment cancelled", "No money was taken.");
        break;
      case "declined":
        declines += 1;
        if (declines >= cfg.max_declines) {
          finish(
            "SessionPaymentError",
            { error: b.error, merchant_reference: b.merchant_reference, href: b.redirect_url },
            "bad",
            "Payment failed",
            "The payment did not go through. No money was taken."
          );
        } else {
          show(errorEl, b.message);
          post("ScrollToTop");
        }
        break;
      default:
        finish(
          "SessionPaymentError",
          { error: b.error || "failed", transaction_id: b.transaction_id, merchant_reference: b.merchant_reference, href: b.redirect_url },
          "bad",
          "Payment failed",
          b.message || "The payment did not go through."
        );
    }
  }

  function validate() {
    if (!(embedded && cfg.client_side_validation)) return Promise.resolve({ success: true });
    return new Promise(function (resolve) {
      pendingValidation = resolve;
      post("ValidateSession", { session: session });
    });
  }

  function value(id) {
    var el = document.getElementById(id);
    return el && !el.disabled ? el.value.trim() : "";
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (busy || lockedByShop) return;
      show(errorEl, "");
      var type = selectedMethod();
      var body = { payment_product_type: type };
      if (type === "dintero_psp.creditcard") {
        body.card_number = value("card_number");
        body.expiry = value("expiry");
        if (!body.card_number) return show(errorEl, "Enter the card number.");
      } else {
        body.phone_number = value("phone-" + type.replace(/\./g, "-"));
        if (!body.phone_number) return show(errorEl, "Enter your mobile number.");
      }
      setBusy(true, embedded && cfg.client_side_validation ? "Checking the order with the shop\u2026" : "Processing the payment\u2026");
      validate()
        .then(function (v) {
          if (!v || !v.success) {
            setBusy(false);
            show(errorEl, (v && v.clientValidationError) || "The shop cannot accept the order right now.");
            post("ScrollToTop");
            return;
          }
          setBusy(true, "Processing the payment\u2026");
          return json("POST", cfg.paths.pay, body).then(handlePaid);
        })
        .catch(function () {
          setBusy(false);
          show(errorEl, "The payment could not be sent. Check your connection and try again.");
        });
    });
  }
  if (cancelForm) {
    cancelForm.addEventListener("submit", function (e) {
      e.preventDefault();
      if (busy) return;
      setBusy(true, "Cancelling\u2026");
      json("POST", cfg.paths.cancel)
        .then(handlePaid)
        .catch(function () {
          setBusy(false);
          show(errorEl, "Could not cancel. Check your connection and try again.");
        });
    });
  }

  function lockSession() {
    json("POST", cfg.paths.lock).then(
      function (r) {
        if (r.status === 200) {
          setLocked(true);
          post("SessionLocked", { pay_lock_id: r.body.pay_lock_id });
        } else {
          post("SessionLockFailed");
        }
      },
      function () {
        post("SessionLockFailed");
      }
    );
  }
  function refreshSession() {
    json("GET", cfg.paths.state).then(
      function (r) {
        if (r.status !== 200) {
          post("SessionNotFound");
          return;
        }
        var s = r.body;
        session = s.session;
        var summary = document.getElementById("summary");
        if (summary && s.summary_html) summary.innerHTML = s.summary_html;
        if (payButton && s.pay_label) payButton.textContent = s.pay_label;
        setLocked(!!s.locked);
        if (!s.payable && form) {
          form.hidden = true;
          if (cancelForm) cancelForm.hidden = true;
          show(noticeEl, s.reason || "This checkout can no longer be paid.");
        }
        post("SessionUpdated", { session: session });
      },
      function () {
        post("SessionNotFound");
      }
    );
  }

  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (!d || typeof d !== "object" || ev.source !== window.parent) return;
    if (d.ack) {
      acks.push(d.ack);
      return;
    }
    if (d.sid !== sid) return;
    switch (d.type) {
      case "LockSession":
        lockSession();
        break;
      case "RefreshSession":
        refreshSession();
        break;
      case "ValidationResult":
        if (pendingValidation) {
          var resolve = pendingValidation;
          pendingValidation = null;
          resolve(d);
        }
        break;
      case "SetActivePaymentProductType":
        if (d.payment_product_type) selectMethod(d.payment_product_type, false);
        break;
      case "SetLanguage":
        if (d.language) post("LanguageChanged", { language: d.language });
        break;
    }
  });

  var first = selectedMethod();
  if (first) showFields(first);
  setLocked(lockedByShop);
  post("SessionLoaded", { session: session });
  if (first && cfg.state === "payable") post("ActivePaymentProductType", { payment_product_type: first });
  reportHeight();
})();
