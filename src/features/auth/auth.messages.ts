// Texts of this feature, German first. Keys are prefixed with the feature's name.
export const messages = {
  de: {
    'auth.login.title': 'Anmelden',
    'auth.login.intro': 'Melden Sie sich mit der E-Mail-Adresse an, an die Ihre Einladung ging.',
    'auth.login.submit': 'Anmelden',
    'auth.login.forgot': 'Passwort vergessen?',
    'auth.login.noRegistration':
      'Das Kommunalforum ist geschlossen: Ein Konto erhalten Sie nur auf Einladung Ihrer Kommune oder des Verbands.',
    'auth.email': 'E-Mail-Adresse',
    'auth.password': 'Passwort',
    'auth.emailRequired': 'Bitte geben Sie Ihre E-Mail-Adresse ein.',
    'auth.passwordRequired': 'Bitte geben Sie Ihr Passwort ein.',
    'auth.invalid': 'E-Mail-Adresse oder Passwort ist nicht korrekt.',
    'auth.throttled': 'Zu viele fehlgeschlagene Anmeldeversuche.',
    'auth.throttledWait': 'Bitte warten Sie {seconds} Sekunden, bevor Sie es erneut versuchen.',
  },
  en: {
    'auth.login.title': 'Sign in',
    'auth.login.intro': 'Sign in with the email address your invitation was sent to.',
    'auth.login.submit': 'Sign in',
    'auth.login.forgot': 'Forgot your password?',
    'auth.login.noRegistration':
      'Kommunalforum is closed: accounts are created only by invitation from your municipality or the association.',
    'auth.email': 'Email address',
    'auth.password': 'Password',
    'auth.emailRequired': 'Please enter your email address.',
    'auth.passwordRequired': 'Please enter your password.',
    'auth.invalid': 'Email address or password is incorrect.',
    'auth.throttled': 'Too many failed sign-in attempts.',
    'auth.throttledWait': 'Please wait {seconds} seconds before trying again.',
  },
}
