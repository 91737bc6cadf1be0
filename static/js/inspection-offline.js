// On-site inspection records without a connection (policy §8.5). Inspectors work in classrooms, often without
// signal, so on the record page:
// - every change is saved on the phone (text and ticks in localStorage, photos in IndexedDB as blobs);
// - a submit goes to the phone's outbox (IndexedDB) first and is sent from there: at once when there is a
//   connection, otherwise when the connection returns (the "online" event, a timer, the next page load);
// - the record carries the client id made when the form opened, so a send repeated after a lost answer is
//   recognised by the server and never makes a second record.
// Without JavaScript the form posts normally. On the inspection list this script only empties the outbox.
(function () {
  "use strict";

  var DB_NAME = "xingan-inspections";
  var OUTBOX = "outbox";
  var DRAFT_FILES = "draft-files";
  var RETRY_MS = 20000;
  var MAX_SIDE = 2048;
  var SHRINK_ABOVE_BYTES = 1024 * 1024;

  var form = document.querySelector("form[data-offline-form]");
  var statusBox = document.getElementById("connection-status");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var holder = form || document.querySelector("[data-outbox-user]");
  var userId = holder ? holder.getAttribute(form ? "data-user" : "data-outbox-user") : "";
  var retryTimer = null;
  var flushing = false;
  var flushAgain = false;

  // Storage ---------------------------------------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) {
        reject(new Error("IndexedDB unavailable"));
        return;
      }
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(OUTBOX, {keyPath: "clientId"});
        request.result.createObjectStore(DRAFT_FILES, {keyPath: "draftKey"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function storeCall(storeName, mode, method, argument) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var request = argument === undefined ? transaction.objectStore(storeName)[method]()
          : transaction.objectStore(storeName)[method](argument);
        transaction.oncomplete = function () { db.close(); resolve(request.result); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  // Without IndexedDB (some private modes) the outbox falls back to localStorage: text and ticks, no photos.
  var FALLBACK_PREFIX = "inspection-outbox:";

  function outboxPut(entry) {
    return storeCall(OUTBOX, "readwrite", "put", entry).catch(function () {
      var copy = {clientId: entry.clientId, userId: entry.userId, action: entry.action, draftKey: entry.draftKey,
                  fields: entry.fields, files: [], photosDropped: entry.files.length > 0};
      window.localStorage.setItem(FALLBACK_PREFIX + entry.clientId, JSON.stringify(copy));
      return copy;
    });
  }

  function outboxAll() {
    var fallback = [];
    for (var index = 0; index < window.localStorage.length; index += 1) {
      var key = window.localStorage.key(index);
      if (key && key.indexOf(FALLBACK_PREFIX) === 0) {
        try { fallback.push(JSON.parse(window.localStorage.getItem(key))); } catch (error) { /* a damaged entry */ }
      }
    }
    return storeCall(OUTBOX, "readonly", "getAll").catch(function () { return []; }).then(function (entries) {
      return entries.concat(fallback).filter(function (entry) { return entry && entry.userId === userId; });
    });
  }

  function outboxDelete(clientId) {
    window.localStorage.removeItem(FALLBACK_PREFIX + clientId);
    return storeCall(OUTBOX, "readwrite", "delete", clientId).catch(function () { return null; });
  }

  // Status line -----------------------------------------------------------------------------------------------

  function showStatus(kind, html) {
    if (!statusBox) {
      return;
    }
    statusBox.hidden = false;
    statusBox.className = "connection-status small mb-2 alert py-2 alert-" + kind;
    statusBox.innerHTML = html;
  }

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  // The connection line. ``sending``: the outbox is being sent now. A message that answers a send (kind "kept":
  // sent, refused) stays until something else waits.
  function showConnection(waiting, sending) {
    if (!statusBox || (statusBox.getAttribute("data-kind") === "kept" && !waiting)) {
      return;
    }
    statusBox.removeAttribute("data-kind");
    if (!form && !waiting) {
      statusBox.hidden = true;
    } else if (!navigator.onLine && waiting) {
      showStatus("warning", "<strong>当前没有网络，检查记录已保存在本机。</strong>恢复联网后会自动发送（本机待发送 " + waiting +
        " 条），请勿清除浏览器数据。");
    } else if (!navigator.onLine) {
      showStatus("warning", "<strong>当前没有网络。</strong>可以继续填写并提交：填写的内容保存在本机，恢复联网后自动发送。");
    } else if (waiting && sending) {
      showStatus("warning", "已连接网络，正在发送本机保存的 " + waiting + " 条检查记录……");
    } else if (waiting) {
      showStatus("warning", "<strong>暂时连不上服务器，检查记录已保存在本机。</strong>稍后自动重试（本机待发送 " + waiting + " 条）。");
    } else {
      showStatus("success", "已连接网络。填写的内容随时保存在本机，断网也不会丢失。");
    }
  }

  function keepMessage(kind, html) {
    showStatus(kind, html);
    statusBox.setAttribute("data-kind", "kept");
  }

  // Sending ---------------------------------------------------------------------------------------------------

  function send(entry) {
    if (!navigator.onLine) {
      return Promise.resolve({state: "offline"});
    }
    var body = new FormData();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    // The token of the page in hand: a record queued before a new login carries an outdated one.
    body.append("csrfmiddlewaretoken", csrfInput ? csrfInput.value : "");
    entry.files.forEach(function (file) { body.append("attachments", file.blob, file.name); });
    return window.fetch(entry.action, {
      method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"},
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // The login page (the session ended) or a refused token: keep the record, ask for a new login.
        return {state: "login"};
      }
      return response.json().then(function (data) {
        if (data.ok) {
          return {state: "sent", data: data};
        }
        return {state: response.status >= 500 ? "offline" : "refused", data: data};
      });
    }, function () {
      return {state: "offline"};
    });
  }

  function forgetKeptPage(action) {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({forget: new URL(action, window.location.href).pathname});
    }
  }

  function flush() {
    if (flushing) {
      flushAgain = true;  // a record queued while another send is under way goes right after it
      return Promise.resolve();
    }
    flushing = true;
    flushAgain = false;
    var stopped = "";
    return outboxAll().then(function (entries) {
      if (entries.length) {
        showConnection(entries.length, navigator.onLine);
      }
      return entries.reduce(function (chain, entry) {
        return chain.then(function () {
          if (stopped) {
            return null;
          }
          return send(entry).then(function (outcome) {
            return settle(entry, outcome).then(function (stop) { stopped = stop; });
          });
        });
      }, Promise.resolve());
    }).then(function () {
      return outboxAll();
    }).then(function (left) {
      flushing = false;
      if (flushAgain) {
        return flush();
      }
      if (stopped !== "login") {
        showConnection(left.length, false);
      }
      if (left.length && !retryTimer) {
        retryTimer = window.setInterval(flush, RETRY_MS);
      } else if (!left.length && retryTimer) {
        window.clearInterval(retryTimer);
        retryTimer = null;
      }
    }, function () {
      flushing = false;
    });
  }

  // Resolves to why the rest of the outbox waits ("login", "offline"), or "" to go on with the next record.
  function settle(entry, outcome) {
    var isThisForm = form && entry.draftKey === form.getAttribute("data-draft-key");
    if (outcome.state === "sent") {
      forgetKeptPage(entry.action);
      return outboxDelete(entry.clientId).then(function () {
        if (isThisForm) {
          clearDraft();
          finish(outcome.data);
        } else {
          keepMessage("success", "本机保存的一条检查记录已发送。<a class=\"ms-2\" href=\"" + escapeHtml(outcome.data.url) + "\">查看</a>");
        }
        return "";
      });
    }
    if (outcome.state === "refused") {
      return outboxDelete(entry.clientId).then(function () {
        if (isThisForm) {
          showRefusal(outcome.data);
        } else {
          keepMessage("danger", "一条本机保存的检查记录未被接受：" + escapeHtml(outcome.data.message || "") +
            "请打开该检查表修改后重新提交。");
        }
        return "";
      });
    }
    if (isThisForm) {
      markWaiting();
    }
    if (outcome.state === "login") {
      var loginUrl = form ? form.getAttribute("data-login-url") : "/accounts/login/";
      showStatus("danger", "<strong>登录已超时。</strong>检查记录已保存在本机，没有丢失。请<a href=\"" + escapeHtml(loginUrl) +
        "\">重新登录</a>，登录后回到本页会自动发送。");
    }
    return Promise.resolve(outcome.state);
  }

  if (!form) {
    if (userId) {
      flush();
      window.addEventListener("online", flush);
    }
    return;
  }

  // The record form -------------------------------------------------------------------------------------------

  var draftKey = form.getAttribute("data-draft-key");
  var fileInput = form.querySelector("input[type=file]");
  var clientIdInput = form.querySelector("input[name=client_id]");
  var submitButton = form.querySelector("button[type=submit]");
  var draftStatus = document.getElementById("draft-status");
  var fileList = document.getElementById("attachment-list");
  var maxTotal = parseInt(form.getAttribute("data-max-total"), 10) || 0;
  var maxFiles = parseInt(form.getAttribute("data-max-files"), 10) || 0;
  var currentFiles = [];
  var submitLabel = submitButton.textContent;
  form.classList.add("has-offline-script");

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (byte) { return (byte + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function fieldElements() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && element.type !== "file" && element.type !== "submit" && element.name !== "csrfmiddlewaretoken";
    });
  }

  function readDraft() {
    try {
      return JSON.parse(window.localStorage.getItem(draftKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function saveDraft() {
    var values = {};
    fieldElements().forEach(function (element) {
      if (element.type === "checkbox") {
        values[element.name] = values[element.name] || [];
        if (element.checked) {
          values[element.name].push(element.value);
        }
      } else if (element.type === "radio") {
        if (element.checked) {
          values[element.name] = element.value;
        }
      } else {
        values[element.name] = element.value;
      }
    });
    try {
      window.localStorage.setItem(draftKey, JSON.stringify({values: values, savedAt: Date.now()}));
      if (draftStatus) {
        draftStatus.textContent = "已保存在本机：" + new Date().toLocaleTimeString("zh-CN", {hour12: false});
      }
    } catch (error) {
      if (draftStatus) {
        draftStatus.textContent = "本机存储已满，无法保存草稿。";
      }
    }
  }

  function restoreDraft(draft) {
    var values = draft.values || {};
    fieldElements().forEach(function (element) {
      if (!Object.prototype.hasOwnProperty.call(values, element.name)) {
        return;
      }
      var value = values[element.name];
      if (element.type === "checkbox") {
        element.checked = Array.isArray(value) && value.indexOf(element.value) !== -1;
      } else if (element.type === "radio") {
        element.checked = element.value === value;
      } else {
        element.value = value;
      }
    });
    var absentChecked = form.querySelector(".roster-check input:checked");
    if (absentChecked) {
      absentChecked.closest("details").open = true;
    }
  }

  function clearDraft() {
    window.localStorage.removeItem(draftKey);
    storeCall(DRAFT_FILES, "readwrite", "delete", draftKey).catch(function () { return null; });
  }

  function formatSize(bytes) {
    return bytes >= 1024 * 1024 ? (bytes / 1024 / 1024).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function showFiles() {
    if (!fileList) {
      return;
    }
    fileList.innerHTML = "";
    var total = 0;
    currentFiles.forEach(function (file) {
      total += file.size;
      var item = document.createElement("li");
      item.textContent = file.name + "（" + formatSize(file.size) + "）";
      fileList.appendChild(item);
    });
    if ((maxTotal && total > maxTotal) || (maxFiles && currentFiles.length > maxFiles)) {
      var warning = document.createElement("li");
      warning.className = "text-danger";
      warning.textContent = "附件超过上限（最多" + maxFiles + "个，合计" + formatSize(maxTotal) + "），请减少后再提交。";
      fileList.appendChild(warning);
    }
  }

  function setInputFiles(files) {
    currentFiles = files;
    if (fileInput && window.DataTransfer) {
      try {
        var transfer = new DataTransfer();
        files.forEach(function (file) { transfer.items.add(file); });
        fileInput.files = transfer.files;
      } catch (error) { /* the outbox still carries the files */ }
    }
    showFiles();
  }

  // A phone photo (3–8 MB) becomes a JPEG of at most 2048 px: small enough to keep on the phone and to send
  // over a weak connection (the server accepts 5 MB per record).
  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return window.createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= SHRINK_ABOVE_BYTES) {
        bitmap.close();
        return file;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) {
            resolve(file);
            return;
          }
          resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", {type: "image/jpeg", lastModified: file.lastModified}));
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  function saveDraftFiles() {
    var stored = currentFiles.map(function (file) { return {name: file.name, type: file.type, blob: file}; });
    return storeCall(DRAFT_FILES, "readwrite", "put", {draftKey: draftKey, files: stored}).catch(function () {
      if (draftStatus && stored.length) {
        draftStatus.textContent = "本机无法保存照片（文字和勾选已保存），请联网后再选择照片。";
      }
    });
  }

  function restoreDraftFiles() {
    return storeCall(DRAFT_FILES, "readonly", "get", draftKey).then(function (kept) {
      if (kept && kept.files && kept.files.length && (!fileInput || !fileInput.files.length)) {
        setInputFiles(kept.files.map(function (file) {
          return new File([file.blob], file.name, {type: file.type});
        }));
      }
    }).catch(function () { return null; });
  }

  // The record waits in the outbox: the button says so, and comes back as "保存修改" when the inspector edits (a
  // new submit replaces the waiting record: the outbox is keyed by the client id).
  function markWaiting() {
    submitButton.disabled = true;
    submitButton.textContent = "已保存在本机，等待发送";
  }

  function offerUpdate() {
    if (submitButton.disabled && !form.hidden) {
      submitButton.disabled = false;
      submitButton.textContent = "保存修改（联网后发送）";
    }
  }

  function showRefusal(data) {
    submitButton.disabled = false;
    submitButton.textContent = submitLabel;
    var box = document.getElementById("form-message");
    box.innerHTML = "<div class=\"alert alert-danger\">" + escapeHtml(data.message || "提交未被接受。") +
      "填写的内容仍保存在本机，修改后可重新提交。</div>";
    form.querySelectorAll("[data-errors-for]").forEach(function (slot) {
      var messages = (data.errors || {})[slot.getAttribute("data-errors-for")] || [];
      slot.textContent = messages.join(" ");
    });
    // A refusal is final for this client id: a corrected record is a new send.
    clientIdInput.value = newClientId();
    saveDraft();
    box.scrollIntoView({block: "start"});
  }

  function finish(data) {
    keepMessage("success", "<strong>" + escapeHtml(data.message || "检查记录已提交。") + "</strong><a class=\"ms-2\" href=\"" +
      escapeHtml(data.url) + "\">查看检查记录</a>");
    form.hidden = true;
    statusBox.scrollIntoView({block: "start"});
  }

  function queueSubmit() {
    saveDraft();
    var fields = [];
    fieldElements().forEach(function (element) {
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
        return;
      }
      fields.push([element.name, element.value]);
    });
    var entry = {
      clientId: clientIdInput.value, userId: userId, draftKey: draftKey, action: form.action || window.location.href,
      fields: fields, files: currentFiles.map(function (file) { return {name: file.name, type: file.type, blob: file}; }),
      queuedAt: Date.now(),
    };
    submitButton.disabled = true;
    submitButton.textContent = "正在发送……";
    return outboxPut(entry).then(function (stored) {
      return flush().then(function () {
        if (stored && stored.photosDropped && draftStatus) {
          draftStatus.textContent = "本机无法保存照片：文字和勾选已保存，照片请联网后重新选择并提交。";
        }
      });
    });
  }

  // Start: the client id of this record (kept with the draft), what was entered before, the outbox.
  var draft = readDraft();
  if (draft) {
    restoreDraft(draft);
  }
  if (!clientIdInput.value || !draft) {
    clientIdInput.value = newClientId();
  }
  saveDraft();
  restoreDraftFiles();

  form.addEventListener("input", function () {
    saveDraft();
    offerUpdate();
  });
  form.addEventListener("change", function (event) {
    offerUpdate();
    if (event.target === fileInput) {
      Promise.all(Array.prototype.map.call(fileInput.files, shrink)).then(function (files) {
        setInputFiles(files);
        saveDraftFiles();
      });
      return;
    }
    saveDraft();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!submitButton.disabled) {
      queueSubmit();
    }
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      flush();
    }
  });
  flush();

  // The service worker keeps this page for a reopening without signal (secure contexts only: https, 127.0.0.1).
  var workerUrl = form.getAttribute("data-sw-url");
  if (workerUrl && navigator.serviceWorker && window.isSecureContext) {
    navigator.serviceWorker.register(workerUrl, {scope: form.getAttribute("data-sw-scope")}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      registration.active.postMessage({keep: window.location.pathname});
    }).catch(function () { return null; });
  }
}());
