// Progressive enhancement only: every page works without this script.
(function () {
  'use strict'

  // Session timeout warning (WCAG 2.2.1): shown two minutes before the idle timeout, with a one-click extension.
  var idleMeta = document.querySelector('meta[name="session-idle-seconds"]')
  var warning = document.getElementById('session-warning')
  var form = document.getElementById('session-extend-form')
  if (idleMeta && warning && form) {
    var idleMs = Number(idleMeta.content) * 1000
    var warnAfter = Math.max(idleMs - 120000, idleMs / 2)
    var timer
    var schedule = function () {
      clearTimeout(timer)
      timer = setTimeout(function () { warning.hidden = false }, warnAfter)
    }
    schedule()
    form.addEventListener('submit', function (event) {
      event.preventDefault()
      fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) throw new Error('extend failed')
          warning.hidden = true
          var status = document.getElementById('status')
          if (status) status.textContent = form.getAttribute('data-done') || ''
          schedule()
        })
        .catch(function () { form.submit() })
    })
  }

  // Drafts survive an expired session: form fields marked data-draft are kept in this browser until the
  // server has taken them. Sending only notes the draft; the page that follows decides: the sign-in page
  // (the session had ended) or the same form filled in again (errors, preview) keeps it, any other page
  // (an empty reply form under the new post included) forgets it.
  var SENT = 'draft:sent'
  try {
    var sent = JSON.parse(sessionStorage.getItem(SENT) || 'null')
    if (sent) {
      sessionStorage.removeItem(SENT)
      var refilled = Array.prototype.some.call(document.querySelectorAll('form[data-draft]'), function (f) {
        return f.getAttribute('data-draft') === sent.name &&
          Array.prototype.some.call(f.querySelectorAll('input[type="text"], textarea'), function (field) { return field.value.trim() !== '' })
      })
      if (location.pathname !== '/login' && !refilled) localStorage.removeItem(sent.key)
    }
  } catch (e) { /* storage unavailable */ }

  Array.prototype.forEach.call(document.querySelectorAll('form[data-draft]'), function (draftForm) {
    var key = 'draft:' + location.pathname + ':' + draftForm.getAttribute('data-draft')
    var fields = draftForm.querySelectorAll('input[type="text"], textarea')
    try {
      var saved = JSON.parse(localStorage.getItem(key) || '{}')
      Array.prototype.forEach.call(fields, function (field) {
        if (!field.value && saved[field.name]) field.value = saved[field.name]
      })
    } catch (e) { /* storage unavailable: nothing to restore */ }
    draftForm.addEventListener('input', function () {
      var data = {}
      Array.prototype.forEach.call(fields, function (field) { data[field.name] = field.value })
      try { localStorage.setItem(key, JSON.stringify(data)) } catch (e) { /* full or blocked */ }
    })
    draftForm.addEventListener('submit', function () {
      try {
        sessionStorage.setItem(SENT, JSON.stringify({ key: key, name: draftForm.getAttribute('data-draft') }))
      } catch (e) {
        try { localStorage.removeItem(key) } catch (e2) { /* ignore */ }
      }
    })
  })
})()

// Similar threads while a new thread's title is typed: the server renders the list (GET /threads/similar).
;(function () {
  'use strict'
  var title = document.getElementById('f-title')
  var target = document.getElementById('similar-threads')
  if (!title || !target || !window.fetch) return
  var timer
  var controller
  var lastAsked = title.value.trim()
  var ask = function () {
    var text = title.value.trim()
    if (text === lastAsked) return
    lastAsked = text
    if (controller) controller.abort()
    if (text.length < 4) { target.innerHTML = ''; return }
    controller = window.AbortController ? new AbortController() : null
    var url = '/threads/similar?title=' + encodeURIComponent(text)
    var exclude = target.getAttribute('data-exclude')
    if (exclude) url += '&exclude=' + encodeURIComponent(exclude)
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' }, signal: controller ? controller.signal : undefined })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(new Error('similar failed')) })
      // The fragment is server-rendered and escaped; the same partial shows it without JavaScript.
      .then(function (html) { target.innerHTML = html })
      .catch(function () { /* aborted or offline: keep what is shown */ })
  }
  title.addEventListener('input', function () {
    clearTimeout(timer)
    timer = setTimeout(ask, 400)
  })
})()
