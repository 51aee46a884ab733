// Texts of this feature, German first. Keys are prefixed with the feature's name.
export const messages = {
  de: {
    'setup.title': 'Erstes Administrationskonto anlegen',
    'setup.intro':
      'Das Forum hat noch kein Administrationskonto. Legen Sie hier das erste an. Dieser Link funktioniert nur einmal.',
    'setup.twoFactorNote':
      'Nach dem Anlegen richten Sie die Anmeldung in zwei Schritten (Authenticator-App) ein; für Administrationskonten ist sie Pflicht.',
    'setup.name': 'Ihr Name',
    'setup.email': 'Dienstliche E-Mail-Adresse',
    'setup.password': 'Passwort',
    'setup.passwordConfirm': 'Passwort wiederholen',
    'setup.submit': 'Konto anlegen',
    'setup.emailTaken': 'Zu dieser E-Mail-Adresse gibt es bereits ein Konto. Bitte verwenden Sie eine andere.',
    'setup.created': 'Ihr Administrationskonto wurde angelegt. Sie sind angemeldet.',
    'setup.invalid.title': 'Link ungültig',
    'setup.invalid.text':
      'Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Solange es noch kein Administrationskonto gibt, zeigt der Server bei jedem Start einen neuen Link an.',
    'setup.invalid.login': 'Zur Anmeldung',
    'setup.cli.inviter': 'Die Systemadministration',
  },
  en: {
    'setup.title': 'Create the first administrator account',
    'setup.intro': 'The forum has no administrator account yet. Create the first one here. This link works only once.',
    'setup.twoFactorNote':
      'After creating the account you will set up two-step sign-in (authenticator app); it is required for administrator accounts.',
    'setup.name': 'Your name',
    'setup.email': 'Work email address',
    'setup.password': 'Password',
    'setup.passwordConfirm': 'Repeat password',
    'setup.submit': 'Create account',
    'setup.emailTaken': 'There already is an account with this email address. Please use another one.',
    'setup.created': 'Your administrator account has been created. You are signed in.',
    'setup.invalid.title': 'Invalid link',
    'setup.invalid.text':
      'This link is invalid, has expired or has already been used. As long as there is no administrator account, the server shows a new link each time it starts.',
    'setup.invalid.login': 'To sign-in',
    'setup.cli.inviter': 'The system administration',
  },
}
