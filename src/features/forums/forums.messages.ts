// Texts of this feature, German first. Keys are prefixed with the feature's name.
export const messages = {
  de: {
    'forums.title': 'Foren',
    'forums.welcome': 'Willkommen, {name}. Hier tauschen sich die Verwaltungen der Mitgliedskommunen aus.',
  },
  en: {
    'forums.title': 'Forums',
    'forums.welcome': 'Welcome, {name}. This is where the administrations of member municipalities share experience.',
  },
}
