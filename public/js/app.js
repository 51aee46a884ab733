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

  // Drafts survive an expired session: form fields marked data-draft are kept in this browser until sent.
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
      try { localStorage.removeItem(key) } catch (e) { /* ignore */ }
    })
  })
})()
