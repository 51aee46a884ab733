// Texts of this feature, German first. Keys are prefixed with the feature's name.
export const messages = {
  de: {
    'pages.updatedAt': 'Stand: {date}',
    'pages.germanOnly': 'Diese Seite gibt es nur auf Deutsch.',
    'pages.saved': 'Die Seite wurde gespeichert.',
    'pages.admin.title': 'Rechtliche Seiten',
    'pages.admin.intro':
      'Datenschutzerklärung, Impressum und Erklärung zur Barrierefreiheit sind ohne Anmeldung erreichbar und in der Fußzeile jeder Seite verlinkt. Ersetzen Sie alle Stellen mit „[bitte ergänzen]“.',
    'pages.admin.page': 'Seite',
    'pages.admin.updatedAt': 'Zuletzt geändert',
    'pages.admin.updatedBy': 'Geändert von',
    'pages.admin.default': 'Vorlage (noch nicht bearbeitet)',
    'pages.admin.edit': 'Bearbeiten',
    'pages.edit.title': '{page} bearbeiten',
    'pages.edit.back': 'Zurück zu den rechtlichen Seiten',
    'pages.edit.pageTitle': 'Titel',
    'pages.edit.body': 'Inhalt (Markdown)',
    'pages.edit.bodyHint':
      'Markdown: „## Abschnitt“ für Zwischenüberschriften, **fett**, „- “ für Aufzählungen, [Linktext](https://…) für Links. HTML wird nicht übernommen.',
    'pages.edit.preview': 'Vorschau anzeigen',
    'pages.edit.previewHeading': 'Vorschau',
    'pages.edit.previewNote': 'Noch nicht gespeichert. So wird der Inhalt auf der Seite dargestellt:',
  },
  en: {
    'pages.updatedAt': 'Last updated: {date}',
    'pages.germanOnly': 'This page is available in German only.',
    'pages.saved': 'The page has been saved.',
    'pages.admin.title': 'Legal pages',
    'pages.admin.intro':
      'Privacy notice, imprint and accessibility statement can be read without signing in and are linked in the footer of every page. Replace every “[bitte ergänzen]” (please complete).',
    'pages.admin.page': 'Page',
    'pages.admin.updatedAt': 'Last changed',
    'pages.admin.updatedBy': 'Changed by',
    'pages.admin.default': 'Template (not edited yet)',
    'pages.admin.edit': 'Edit',
    'pages.edit.title': 'Edit {page}',
    'pages.edit.back': 'Back to the legal pages',
    'pages.edit.pageTitle': 'Title',
    'pages.edit.body': 'Content (Markdown)',
    'pages.edit.bodyHint':
      'Markdown: “## Section” for subheadings, **bold**, “- ” for lists, [link text](https://…) for links. HTML is not taken over.',
    'pages.edit.preview': 'Show preview',
    'pages.edit.previewHeading': 'Preview',
    'pages.edit.previewNote': 'Not saved yet. This is how the content will look on the page:',
  },
}
