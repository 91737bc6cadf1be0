// The service worker of on-site inspections (policy §8.5): opens an inspection's record page without a
// connection, so an inspector can reopen the form in a classroom without signal. Network first: a kept copy is
// used only when the network fails. Only record pages are kept, and a page is forgotten once its inspection is
// recorded (the server then redirects) or its record was sent (inspection-offline.js says so).
"use strict";
var CACHE = "xingan-inspections-v1";
var ASSETS = {{ assets_json|safe }};
var RECORD_PAGE = new RegExp("{{ record_page_pattern|escapejs }}");

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("xingan-inspections") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function forget(path) {
  return caches.open(CACHE).then(function (cache) { return cache.delete(path); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(fetch(request).catch(function () { return caches.match(url.pathname); }));
    return;
  }
  if (request.mode === "navigate" && RECORD_PAGE.test(url.pathname)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
      } else {
        forget(url.pathname);
      }
      return response;
    }, function () {
      return caches.match(url.pathname).then(function (kept) {
        return kept || new Response(
          "<!DOCTYPE html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
          "<title>没有网络</title><p>没有网络，且本机没有保存这张检查表。请联网后再打开。</p>",
          {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}}
        );
      });
    }));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (typeof data.keep === "string" && RECORD_PAGE.test(data.keep)) {
    event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.add(data.keep); }));
  } else if (typeof data.forget === "string") {
    event.waitUntil(forget(data.forget));
  }
});
