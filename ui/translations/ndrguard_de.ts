<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>DayChart</name>
    <message>
        <location filename="../chart.py" line="+47"/>
        <source>Bounces per day</source>
        <translation>Bounces pro Tag</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Per day: solid bars, bounces moved to quarantine; hatched bars, real bounces</source>
        <translation>Pro Tag: volle Balken, in die Quarantäne verschobene Bounces; schraffierte Balken, echte Bounces</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{day}: {q} moved to quarantine, {r} real</source>
        <translation>{day}: {q} in die Quarantäne verschoben, {r} echt</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>moved to quarantine</source>
        <translation>in die Quarantäne verschoben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>real bounces (kept)</source>
        <translation>echte Bounces (behalten)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No bounces yet</source>
        <translation>Noch keine Bounces</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+1"/>
        <source>Per day:</source>
        <translation>Pro Tag:</translation>
    </message>
</context>
<context>
    <name>DeviceSigninDialog</name>
    <message>
        <location filename="../device_signin.py" line="+55"/>
        <source>ndrguard — sign in to {account}</source>
        <translation>ndrguard — bei {account} anmelden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign in with a code</source>
        <translation>Mit einem Code anmelden</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>To let ndrguard read {account}, open this address in a browser, on this or any other device, and enter the code there.</source>
        <translation>Damit ndrguard {account} lesen kann, öffnen Sie diese Adresse in einem Browser, auf diesem oder einem anderen Gerät, und geben Sie dort den Code ein.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The address to open</source>
        <translation>Die zu öffnende Adresse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy &amp;address</source>
        <translation>&amp;Adresse kopieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Open in the browser</source>
        <translation>Im Browser ö&amp;ffnen</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The code to enter</source>
        <translation>Der einzugebende Code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Copy code</source>
        <translation>&amp;Code kopieren</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Waiting for you to sign in…</source>
        <translation>Warte auf Ihre Anmeldung…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How the sign-in is going</source>
        <translation>Stand der Anmeldung</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Cannot ask how the sign-in is going: {why}</source>
        <translation>Stand der Anmeldung nicht abrufbar: {why}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>✔ Signed in; the service is watching {account}.</source>
        <translation>✔ Angemeldet; der Dienst überwacht {account}.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>✘ Not signed in: {why}</source>
        <translation>✘ Nicht angemeldet: {why}</translation>
    </message>
</context>
<context>
    <name>MessageDialog</name>
    <message>
        <location filename="../message_dialog.py" line="+27"/>
        <source>Message {id} (text only)</source>
        <translation>Nachricht {id} (nur Text)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The message, as plain text</source>
        <translation>Die Nachricht als reiner Text</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>[… cut: the message is longer]</source>
        <translation>[… gekürzt: die Nachricht ist länger]</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Shown as plain text: nothing in this message is rendered or opened.</source>
        <translation>Als reiner Text gezeigt: nichts in dieser Nachricht wird dargestellt oder geöffnet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Its HTML is shown as text, with no images or links loaded.</source>
        <translation>Ihr HTML wird als Text gezeigt, ohne Bilder oder Links zu laden.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Attachments, not opened</source>
        <translation>Anhänge, nicht geöffnet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name}  ({type}, {size} bytes)</source>
        <translation>{name}  ({type}, {size} Bytes)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>a program: never open it</source>
        <translation>ein Programm: niemals öffnen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Attachments (not opened):</source>
        <translation>Anhänge (nicht geöffnet):</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Close the message</source>
        <translation>Nachricht schließen</translation>
    </message>
</context>
<context>
    <name>SettingsWindow</name>
    <message>
        <location filename="../settings.py" line="+128"/>
        <source>ndrguard — settings</source>
        <translation>ndrguard — Einstellungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ndrguard settings</source>
        <translation>ndrguard-Einstellungen</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;New account</source>
        <translation>&amp;Neues Konto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Test</source>
        <translation>&amp;Testen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>IMAP server</source>
        <translation>IMAP-Server</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Maildir (local folder)</source>
        <translation>Maildir (lokaler Ordner)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>stored in the system keyring</source>
        <translation>wird im Schlüsselbund des Systems gespeichert</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>from your app registration (docs/oauth.md)</source>
        <translation>aus Ihrer App-Registrierung (docs/oauth.md)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Microsoft: your tenant (or blank: common); another provider: its issuer URL</source>
        <translation>Microsoft: Ihr Tenant (oder leer: common); anderer Anbieter: die URL seines Ausstellers</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>another provider: the IMAP scope it documents (the others: known)</source>
        <translation>anderer Anbieter: der IMAP-Scope aus seiner Dokumentation (bei den übrigen bekannt)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>only if the registration has one (to the keyring)</source>
        <translation>nur wenn die Registrierung eines hat (in den Schlüsselbund)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Si&amp;gn in…</source>
        <translation>An&amp;melden…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the system&apos;s CAs; or your company&apos;s / server&apos;s CA file</source>
        <translation>die CAs des Systems; oder die CA-Datei Ihrer Firma / Ihres Servers</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;hoose…</source>
        <translation>Aus&amp;wählen…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>none: the certificate is checked against the CAs</source>
        <translation>keins: das Zertifikat wird gegen die CAs geprüft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trust this certifi&amp;cate…</source>
        <translation>Diesem &amp;Zertifikat vertrauen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Forget</source>
        <translation>Verwe&amp;rfen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>N&amp;ame</source>
        <translation>N&amp;ame</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Kind</source>
        <translation>&amp;Kontoart</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ser&amp;ver</source>
        <translation>Ser&amp;ver</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Port</source>
        <translation>&amp;Port</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Securit&amp;y</source>
        <translation>Verbindungssic&amp;herheit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;User</source>
        <translation>&amp;Benutzer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log in with</source>
        <translation>Anmelden mit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pass&amp;word</source>
        <translation>Passw&amp;ort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client I&amp;D</source>
        <translation>Client-I&amp;D</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tenant / &amp;issuer</source>
        <translation>Tenant / Ausste&amp;ller</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scope</source>
        <translation>Scope</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client secret</source>
        <translation>Client-Geheimnis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CA certificate fi&amp;le</source>
        <translation>&amp;CA-Zertifikatsdatei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pinned certificate</source>
        <translation>Festgelegtes Zertifikat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Maildir folder</source>
        <translation>Ma&amp;ildir-Ordner</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What to do, and what proves a bounce is yours</source>
        <translation>Was zu tun ist, und was beweist, dass ein Bounce Ihnen gehört</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+87"/>
        <source>your relay&apos;s BATV secret (to the keyring)</source>
        <translation>das BATV-Geheimnis Ihres Relays (in den Schlüsselbund)</translation>
    </message>
    <message>
        <location line="-85"/>
        <source>P&amp;olicy</source>
        <translation>Re&amp;gel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quarantine folder</source>
        <translation>&amp;Quarantäne-Ordner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>My add&amp;resses</source>
        <translation>Meine Adr&amp;essen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>My relays</source>
        <translation>Meine Relays</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DKIM domains</source>
        <translation>DKIM-Domains</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;BATV key number</source>
        <translation>BATV-Schlüsselnummer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>BATV s&amp;ecret</source>
        <translation>BATV-Geheimnis</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Test result</source>
        <translation>Testergebnis</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Cannot read the settings: {why}</source>
        <translation>Die Einstellungen können nicht gelesen werden: {why}</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>stored (keep it blank to leave it)</source>
        <translation>gespeichert (leer lassen, um es zu behalten)</translation>
    </message>
    <message>
        <location line="+119"/>
        <source>The CA certificate that signed the server&apos;s certificate</source>
        <translation>Das CA-Zertifikat, das das Zertifikat des Servers signiert hat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Zertifikate (*.pem *.crt *.cer);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Fetching the server&apos;s certificate…</source>
        <translation>Das Zertifikat des Servers wird abgerufen…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No certificate: {why}</source>
        <translation>Kein Zertifikat: {why}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{host} shows a certificate with the SHA-256 fingerprint

{sha256}

Trust it only if this is the fingerprint the server&apos;s administrator gave you. ndrguard will then accept this certificate, and no other, for this account.</source>
        <translation>{host} zeigt ein Zertifikat mit dem SHA-256-Fingerabdruck

{sha256}

Vertrauen Sie ihm nur, wenn dies der Fingerabdruck ist, den Ihnen der Administrator des Servers genannt hat. ndrguard akzeptiert dann dieses Zertifikat, und kein anderes, für dieses Konto.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Trust this certificate?</source>
        <translation>Diesem Zertifikat vertrauen?</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Pinned; press Test, then Save.</source>
        <translation>Festgelegt; drücken Sie Testen, dann Speichern.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Testing…</source>
        <translation>Wird getestet…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Test failed: {why}</source>
        <translation>Test fehlgeschlagen: {why}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sent folder: {folder}</source>
        <translation>Gesendet-Ordner: {folder}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not found</source>
        <translation>nicht gefunden</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Not saved: {why}</source>
        <translation>Nicht gespeichert: {why}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Saved to {file}; the service uses it now.</source>
        <translation>In {file} gespeichert; der Dienst verwendet es jetzt.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Starting the sign-in…</source>
        <translation>Die Anmeldung wird gestartet…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot sign in: {why}</source>
        <translation>Anmelden nicht möglich: {why}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sign in in the browser window that opened; ndrguard waits for it.</source>
        <translation>Melden Sie sich im geöffneten Browserfenster an; ndrguard wartet darauf.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open {uri} and enter the code {code}</source>
        <translation>Öffnen Sie {uri} und geben Sie den Code {code} ein</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>✔ Signed in; the service is watching {account}.</source>
        <translation>✔ Angemeldet; der Dienst überwacht {account}.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>✘ Not signed in: {why}</source>
        <translation>✘ Nicht angemeldet: {why}</translation>
    </message>
</context>
<context>
    <name>SummaryWindow</name>
    <message>
        <location filename="../summary.py" line="+154"/>
        <source>ndrguard — bounces</source>
        <translation>ndrguard — Bounces</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Totals of the last 14 days</source>
        <translation>Summen der letzten 14 Tage</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Bounces, grouped by campaign</source>
        <translation>Bounces, nach Kampagne gruppiert</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Details of the selected bounce</source>
        <translation>Details des ausgewählten Bounces</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>What the window did last</source>
        <translation>Was das Fenster zuletzt getan hat</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>What your last action did</source>
        <translation>Was Ihre letzte Aktion bewirkt hat</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Load &amp;more</source>
        <translation>&amp;Mehr laden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load more bounces</source>
        <translation>Mehr Bounces laden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Load the next page of older bounces (Ctrl+N)</source>
        <translation>Die nächste Seite älterer Bounces laden (Strg+N)</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Search subject, sender, recipient, reason (Ctrl+F)</source>
        <translation>Betreff, Absender, Empfänger, Grund durchsuchen (Strg+F)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search</source>
        <translation>Suche</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Show:</source>
        <translation>&amp;Zeigen:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Which bounces to show</source>
        <translation>Welche Bounces gezeigt werden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Verdict:</source>
        <translation>&amp;Urteil:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Filter by verdict</source>
        <translation>Nach Urteil filtern</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A&amp;ccount:</source>
        <translation>&amp;Konto:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filter by account</source>
        <translation>Nach Konto filtern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All accounts</source>
        <translation>Alle Konten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Date:</source>
        <translation>&amp;Datum:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Filter by date</source>
        <translation>Nach Datum filtern</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>&amp;Restore to inbox</source>
        <translation>In den Posteingang &amp;zurück</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Restore to inbox</source>
        <translation>In den Posteingang zurück</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move the selected messages back where they came from (Ctrl+R)</source>
        <translation>Die ausgewählten Nachrichten dorthin zurückschieben, woher sie kamen (Strg+R)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Mark as &amp;real bounce</source>
        <translation>Als &amp;echten Bounce markieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark as real bounce</source>
        <translation>Als echten Bounce markieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Say these are real bounces of your mail, and put them back (Ctrl+L)</source>
        <translation>Angeben, dass dies echte Bounces Ihrer Mail sind, und sie zurücklegen (Strg+L)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show &amp;message (text only)</source>
        <translation>&amp;Nachricht zeigen (nur Text)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show message as text only</source>
        <translation>Nachricht nur als Text zeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the message as plain text; nothing in it is rendered (Ctrl+M, Enter)</source>
        <translation>Die Nachricht als reinen Text öffnen; nichts darin wird dargestellt (Strg+M, Eingabe)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Undo the last restore or mark</source>
        <translation>Das letzte Zurücklegen oder Markieren rückgängig machen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo what you did last in this window (Ctrl+Z)</source>
        <translation>Rückgängig machen, was Sie zuletzt in diesem Fenster getan haben (Strg+Z)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Re&amp;fresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Load again (F5)</source>
        <translation>Neu laden (F5)</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Loading more…</source>
        <translation>Mehr wird geladen…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Not connected: {why}</source>
        <translation>Nicht verbunden: {why}</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+276"/>
        <location line="+46"/>
        <source>no answer</source>
        <translation>keine Antwort</translation>
    </message>
    <message>
        <location line="-321"/>
        <source>Could not load: {why}</source>
        <translation>Konnte nicht geladen werden: {why}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>1 bounce shown</source>
        <translation>1 Bounce gezeigt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} bounces shown</source>
        <translation>{n} Bounces gezeigt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(the newest; scroll down or press Load more for older ones)</source>
        <translation>(die neuesten; für ältere nach unten blättern oder Mehr laden drücken)</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Your message &quot;{subject}&quot;</source>
        <translation>Ihre Nachricht „{subject}“</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Campaign &quot;{subject}&quot;</source>
        <translation>Kampagne „{subject}“</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>and 1 other subject</source>
        <translation>und 1 weiterer Betreff</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>and {n} other subjects</source>
        <translation>und {n} weitere Betreffs</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Campaign sent from {network}</source>
        <translation>Kampagne, gesendet aus {network}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bounces titled &quot;{subject}&quot; (no original returned)</source>
        <translation>Bounces mit dem Titel „{subject}“ (kein Original zurückgekommen)</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+333"/>
        <location line="+20"/>
        <source>(no subject)</source>
        <translation>(kein Betreff)</translation>
    </message>
    <message>
        <location line="-351"/>
        <source>1 bounce</source>
        <translation>1 Bounce</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} bounces</source>
        <translation>{n} Bounces</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Last {days} days: moved to quarantine {q}; real bounces recognised {r}; undecided {u}; restored by you {s}.</source>
        <translation>Letzte {days} Tage: in die Quarantäne verschoben {q}; echte Bounces erkannt {r}; unentschieden {u}; von Ihnen zurückgeholt {s}.</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Select a bounce to see why it was judged so.</source>
        <translation>Wählen Sie einen Bounce, um zu sehen, warum er so beurteilt wurde.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} bounces selected.</source>
        <translation>{n} Bounces ausgewählt.</translation>
    </message>
    <message>
        <location line="+78"/>
        <source>Move this message out of quarantine, back where it came from?</source>
        <translation>Diese Nachricht aus der Quarantäne dorthin zurückschieben, woher sie kam?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move these {n} messages out of quarantine, back where they came from?</source>
        <translation>Diese {n} Nachrichten aus der Quarantäne dorthin zurückschieben, woher sie kamen?</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Mark this bounce as a real bounce of your mail?</source>
        <translation>Diesen Bounce als echten Bounce Ihrer Mail markieren?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mark these {n} bounces as real bounces of your mail?</source>
        <translation>Diese {n} Bounces als echte Bounces Ihrer Mail markieren?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ndrguard will not move them again; {m} of them go back from quarantine now.</source>
        <translation>ndrguard wird sie nicht wieder verschieben; {m} davon kommen jetzt aus der Quarantäne zurück.</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>1 message back where it came from</source>
        <translation>1 Nachricht wieder dort, woher sie kam</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} messages back where they came from</source>
        <translation>{n} Nachrichten wieder dort, woher sie kamen</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Undone: 1 message back in quarantine</source>
        <translation>Rückgängig gemacht: 1 Nachricht wieder in der Quarantäne</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undone: {n} messages back in quarantine</source>
        <translation>Rückgängig gemacht: {n} Nachrichten wieder in der Quarantäne</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>(not returned)</source>
        <translation>(nicht zurückgekommen)</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>• {subject} — {account}: {src} → {dest}</source>
        <translation>• {subject} — {account}: {src} → {dest}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>• {subject} — {account}: stays in {dest}</source>
        <translation>• {subject} — {account}: bleibt in {dest}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>… and {n} more</source>
        <translation>… und {n} weitere</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Verdict:</source>
        <translation>Urteil:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why:</source>
        <translation>Warum:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evidence:</source>
        <translation>Beweise:</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>None: nothing proved this bounce real or forged.</source>
        <translation>Keine: nichts hat diesen Bounce als echt oder gefälscht erwiesen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{q} (came from {f})</source>
        <translation>{q} (kam aus {f})</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Where it is</source>
        <translation>Wo er ist</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ID (for ndrguard restore)</source>
        <translation>ID (für ndrguard restore)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Judged</source>
        <translation>Beurteilt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Policy</source>
        <translation>Regel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bounce from</source>
        <translation>Bounce von</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bounce subject</source>
        <translation>Betreff des Bounces</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What came back</source>
        <translation>Was zurückkam</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Original from</source>
        <translation>Original von</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Original to</source>
        <translation>Original an</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Original Message-ID</source>
        <translation>Message-ID des Originals</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Original sent from</source>
        <translation>Original gesendet aus</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recognised by</source>
        <translation>Erkannt von</translation>
    </message>
    <message>
        <location line="-255"/>
        <source>&amp;Restore</source>
        <translation>&amp;Zurückholen</translation>
    </message>
    <message>
        <location line="-533"/>
        <source>Original subject</source>
        <translation>Betreff des Originals</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verdict</source>
        <translation>Urteil</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why</source>
        <translation>Warum</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+762"/>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <location line="-761"/>
        <location line="+791"/>
        <source>Recipient</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <location line="-790"/>
        <location line="+770"/>
        <source>Reporting server</source>
        <translation>Meldender Server</translation>
    </message>
    <message>
        <location line="-769"/>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Moved to quarantine</source>
        <translation>In die Quarantäne verschoben</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Kept or restored</source>
        <translation>Behalten oder zurückgeholt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All bounces</source>
        <translation>Alle Bounces</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Any verdict</source>
        <translation>Jedes Urteil</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forged (backscatter)</source>
        <translation>Gefälscht (Backscatter)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undecided</source>
        <translation>Unentschieden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Real bounces</source>
        <translation>Echte Bounces</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Any time</source>
        <translation>Jederzeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>forged</source>
        <translation>gefälscht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>undecided</source>
        <translation>unentschieden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>real</source>
        <translation>echt</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>in quarantine</source>
        <translation>in der Quarantäne</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>being moved to quarantine</source>
        <translation>wird in die Quarantäne verschoben</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>kept in place</source>
        <translation>an Ort und Stelle behalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>restored by you</source>
        <translation>von Ihnen zurückgeholt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>left in place (monitor policy)</source>
        <translation>an Ort und Stelle gelassen (Regel monitor)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>held: evidence could not be read yet</source>
        <translation>zurückgehalten: Beweise konnten noch nicht gelesen werden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>moved or deleted by someone else</source>
        <translation>von jemand anderem verschoben oder gelöscht</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>proves it real</source>
        <translation>beweist, dass er echt ist</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>proves it forged</source>
        <translation>beweist, dass er gefälscht ist</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>suggests it is real (not proof)</source>
        <translation>spricht dafür, dass er echt ist (kein Beweis)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>could not be read</source>
        <translation>konnte nicht gelesen werden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>proves nothing either way</source>
        <translation>beweist weder das eine noch das andere</translation>
    </message>
    <message>
        <location line="+475"/>
        <source>Mark as &amp;real</source>
        <translation>Als &amp;echt markieren</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+110"/>
        <source>ndrguard</source>
        <translation>ndrguard</translation>
    </message>
    <message>
        <location line="-109"/>
        <source>You can undo this (Ctrl+Z).</source>
        <translation>Sie können dies rückgängig machen (Strg+Z).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Confirm the move</source>
        <translation>Verschieben bestätigen</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Restoring {n} message(s)…</source>
        <translation>{n} Nachricht(en) werden zurückgeholt…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Marking {n} bounce(s) as real…</source>
        <translation>{n} Bounce(s) werden als echt markiert…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Failed: {why}</source>
        <translation>Fehlgeschlagen: {why}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{m} marked as real; {n} back in their folder</source>
        <translation>{m} als echt markiert; {n} wieder in ihrem Ordner</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+38"/>
        <source>{n} not: {why}</source>
        <translation>{n} nicht: {why}</translation>
    </message>
    <message>
        <location line="-34"/>
        <source>— Undo with Ctrl+Z.</source>
        <translation>— Rückgängig mit Strg+Z.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Undoing: back to quarantine…</source>
        <translation>Wird rückgängig gemacht: zurück in die Quarantäne…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Undo failed: {why}</source>
        <translation>Rückgängig machen fehlgeschlagen: {why}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{m} verdict(s) as they were</source>
        <translation>{m} Urteil(e) wie vorher</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../tray.py" line="+72"/>
        <source>ndrguard menu</source>
        <translation>ndrguard-Menü</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connecting to the ndrguard service…</source>
        <translation>Verbindung zum ndrguard-Dienst wird hergestellt…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Open summary…</source>
        <translation>&amp;Zusammenfassung öffnen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+72"/>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <location line="-71"/>
        <source>Pause for one &amp;hour</source>
        <translation>Eine &amp;Stunde pausieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pause until &amp;tomorrow morning</source>
        <translation>Bis &amp;morgen früh pausieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>S&amp;can now</source>
        <translation>Jetzt &amp;durchsuchen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start the ser&amp;vice</source>
        <translation>Dienst s&amp;tarten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>ndrguard: {line}</source>
        <translation>ndrguard: {line}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Sign in again to {account}…</source>
        <translation>Erneut bei {account} anmelden…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sign in to {account} with a code…</source>
        <translation>Bei {account} mit einem Code anmelden…</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>no answer</source>
        <translation>keine Antwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot sign in: {why}</source>
        <translation>Anmelden nicht möglich: {why}</translation>
    </message>
</context>
<context>
    <name>TrayApp</name>
    <message>
        <location filename="../app.py" line="+116"/>
        <source>no answer</source>
        <translation>keine Antwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ndrguard: not undone</source>
        <translation>ndrguard: nicht rückgängig gemacht</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../errors.py" line="+24"/>
        <source>Action failed</source>
        <translation>Aktion fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another ndrguard is running</source>
        <translation>Ein anderes ndrguard läuft bereits</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Autostart failed</source>
        <translation>Autostart fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bad request</source>
        <translation>Ungültige Anfrage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot connect</source>
        <translation>Keine Verbindung möglich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certificate rejected</source>
        <translation>Zertifikat abgelehnt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Config not changed</source>
        <translation>Konfiguration nicht geändert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Configuration error</source>
        <translation>Fehler in der Konfiguration</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connection lost</source>
        <translation>Verbindung verloren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DKIM key unreadable</source>
        <translation>DKIM-Schlüssel nicht lesbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Encryption refused</source>
        <translation>Verschlüsselung abgelehnt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder missing</source>
        <translation>Ordner fehlt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Identity file problem</source>
        <translation>Problem mit der Identitätsdatei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Identity problem</source>
        <translation>Problem mit der Identität</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keyring unavailable</source>
        <translation>Schlüsselbund nicht verfügbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Local API unavailable</source>
        <translation>Lokale Schnittstelle nicht verfügbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Login failed</source>
        <translation>Anmeldung fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mailbox full</source>
        <translation>Postfach voll</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mailbox problem</source>
        <translation>Problem mit dem Postfach</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ndrguard could not do that</source>
        <translation>ndrguard konnte das nicht tun</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ndrguard versions differ</source>
        <translation>ndrguard-Versionen unterscheiden sich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No password stored</source>
        <translation>Kein Passwort gespeichert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent mail unreadable</source>
        <translation>Gesendete Mail nicht lesbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in again</source>
        <translation>Erneut anmelden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign-in failed</source>
        <translation>Anmeldung fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State problem</source>
        <translation>Problem mit der Zustandsdatenbank</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ndrguard service does not answer</source>
        <translation>Der ndrguard-Dienst antwortet nicht</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The ndrguard service is not running</source>
        <translation>Der ndrguard-Dienst läuft nicht</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The service could not do that</source>
        <translation>Der Dienst konnte das nicht tun</translation>
    </message>
</context>
<context>
    <name>link</name>
    <message>
        <location filename="../link.py" line="+113"/>
        <source>the service stopped</source>
        <translation>der Dienst wurde beendet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the service stopped answering</source>
        <translation>der Dienst antwortet nicht mehr</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the tray app is closing</source>
        <translation>die Tray-App wird beendet</translation>
    </message>
</context>
<context>
    <name>settings</name>
    <message>
        <location filename="../settings.py" line="-555"/>
        <source>Keep bounces with proof, move forged and unproved ones (recommended)</source>
        <translation>Bounces mit Beweis behalten, gefälschte und unbewiesene verschieben (empfohlen)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keep only bounces with a valid BATV tag or from my relay</source>
        <translation>Nur Bounces mit gültigem BATV-Tag oder von meinem Relay behalten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Move every bounce away (quick relief; real ones too)</source>
        <translation>Jeden Bounce wegschieben (schnelle Abhilfe; auch echte)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only report; move nothing</source>
        <translation>Nur berichten; nichts verschieben</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>TLS (port 993)</source>
        <translation>TLS (Port 993)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>STARTTLS (port 143)</source>
        <translation>STARTTLS (Port 143)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>none (unsafe)</source>
        <translation>keine (unsicher)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in with Google (Gmail, Workspace)</source>
        <translation>Mit Google anmelden (Gmail, Workspace)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in with Microsoft (Outlook.com, Microsoft 365)</source>
        <translation>Mit Microsoft anmelden (Outlook.com, Microsoft 365)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in with Yahoo</source>
        <translation>Mit Yahoo anmelden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in with AOL</source>
        <translation>Mit AOL anmelden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in with another provider (OAuth 2 issuer)</source>
        <translation>Mit einem anderen Anbieter anmelden (OAuth-2-Aussteller)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&lt;b&gt;Welcome to ndrguard.&lt;/b&gt; Add the mail account whose inbox fills with bounces for mail you never sent. ndrguard moves those to a quarantine folder and keeps real bounces where they are. Nothing is ever deleted. For Gmail or Microsoft 365 choose &lt;i&gt;Sign in with…&lt;/i&gt; and the client ID of your app registration (docs/oauth.md). To try it first, choose &lt;i&gt;Maildir&lt;/i&gt; and the demo mailbox that &lt;code&gt;ndrguard demo --home DIR&lt;/code&gt; writes.</source>
        <translation>&lt;b&gt;Willkommen bei ndrguard.&lt;/b&gt; Fügen Sie das Mailkonto hinzu, dessen Posteingang sich mit Bounces für Mail füllt, die Sie nie gesendet haben. ndrguard verschiebt diese in einen Quarantäne-Ordner und lässt echte Bounces, wo sie sind. Nichts wird je gelöscht. Für Gmail oder Microsoft 365 wählen Sie &lt;i&gt;Mit … anmelden&lt;/i&gt; und die Client-ID Ihrer App-Registrierung (docs/oauth.md). Zum Ausprobieren wählen Sie &lt;i&gt;Maildir&lt;/i&gt; und das Demo-Postfach, das &lt;code&gt;ndrguard demo --home DIR&lt;/code&gt; schreibt.</translation>
    </message>
</context>
<context>
    <name>state</name>
    <message>
        <location filename="../state.py" line="+46"/>
        <source>the server refused the login: check the password in Settings</source>
        <translation>der Server hat die Anmeldung abgelehnt: prüfen Sie das Passwort in den Einstellungen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the server&apos;s certificate was rejected: see Settings</source>
        <translation>das Zertifikat des Servers wurde abgelehnt: siehe Einstellungen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>sign in again (click here)</source>
        <translation>erneut anmelden (hier klicken)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>proof cannot be read; bounces are held</source>
        <translation>Beweise können nicht gelesen werden; Bounces werden zurückgehalten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cannot reach the server; trying again</source>
        <translation>Server nicht erreichbar; neuer Versuch folgt</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>1 bounce to &amp;review…</source>
        <translation>1 Bounce zum &amp;Ansehen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} bounces to &amp;review…</source>
        <translation>{n} Bounces zum &amp;Ansehen…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>1 account</source>
        <translation>1 Konto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} accounts</source>
        <translation>{n} Konten</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Paused: no mail is being moved</source>
        <translation>Pausiert: es wird keine Mail verschoben</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Paused until {time}: no mail is being moved</source>
        <translation>Pausiert bis {time}: es wird keine Mail verschoben</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Paused until tomorrow {time}: no mail is being moved</source>
        <translation>Pausiert bis morgen {time}: es wird keine Mail verschoben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Paused until {date}: no mail is being moved</source>
        <translation>Pausiert bis {date}: es wird keine Mail verschoben</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Not connected to the ndrguard service ({reason})</source>
        <translation>Nicht mit dem ndrguard-Dienst verbunden ({reason})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not connected to the ndrguard service</source>
        <translation>Nicht mit dem ndrguard-Dienst verbunden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The config file has an error; the previous settings stay in force</source>
        <translation>Die Konfigurationsdatei hat einen Fehler; die vorherigen Einstellungen bleiben in Kraft</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No mail account set up yet: add one in Settings</source>
        <translation>Noch kein Mailkonto eingerichtet: fügen Sie eines in den Einstellungen hinzu</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Watching {watching} of {accounts}</source>
        <translation>Überwacht {watching} von {accounts}</translation>
    </message>
</context>
<context>
    <name>wording</name>
    <message>
        <location filename="../wording.py" line="+41"/>
        <source>no such user</source>
        <translation>kein solcher Benutzer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no such domain</source>
        <translation>keine solche Domain</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the mailbox is disabled</source>
        <translation>das Postfach ist deaktiviert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the mailbox is full</source>
        <translation>das Postfach ist voll</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the message is too big</source>
        <translation>die Nachricht ist zu groß</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the domain has no mail server</source>
        <translation>die Domain hat keinen Mailserver</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>refused by the recipient&apos;s server</source>
        <translation>vom Server des Empfängers abgelehnt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>refused: it failed the recipient&apos;s authentication checks</source>
        <translation>abgelehnt: sie hat die Authentifizierungsprüfungen des Empfängers nicht bestanden</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>it was not delivered</source>
        <translation>sie wurde nicht zugestellt</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>delayed, still being retried</source>
        <translation>verzögert, wird weiter versucht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refused</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>mail to {address} is delayed: {why}</source>
        <translation>Mail an {address} ist verzögert: {why}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mail to {address} failed: {why}</source>
        <translation>Mail an {address} fehlgeschlagen: {why}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Not delivered: &quot;{subject}&quot;</source>
        <translation>Nicht zugestellt: „{subject}“</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+113"/>
        <source>A message you sent was not delivered</source>
        <translation>Eine von Ihnen gesendete Nachricht wurde nicht zugestellt</translation>
    </message>
    <message>
        <location line="-109"/>
        <source>A message you sent: {why}</source>
        <translation>Eine von Ihnen gesendete Nachricht: {why}</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+26"/>
        <source>Open summary</source>
        <translation>Zusammenfassung öffnen</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>{account}: sign in again</source>
        <translation>{account}: erneut anmelden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The sign-in for {account} has expired or was revoked; ndrguard cannot watch it until you sign in again. The other accounts are still watched.</source>
        <translation>Die Anmeldung für {account} ist abgelaufen oder wurde widerrufen; ndrguard kann das Konto erst wieder überwachen, wenn Sie sich erneut anmelden. Die anderen Konten werden weiter überwacht.</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+1"/>
        <source>Sign in again</source>
        <translation>Erneut anmelden</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>1 message moved back to where it was.</source>
        <translation>1 Nachricht dorthin zurückgeschoben, wo sie war.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} messages moved back to where they were.</source>
        <translation>{n} Nachrichten dorthin zurückgeschoben, wo sie waren.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>1 could not be moved: see the summary.</source>
        <translation>1 konnte nicht verschoben werden: siehe Zusammenfassung.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} could not be moved: see the summary.</source>
        <translation>{n} konnten nicht verschoben werden: siehe Zusammenfassung.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ndrguard: undone</source>
        <translation>ndrguard: rückgängig gemacht</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>in the last minute</source>
        <translation>in der letzten Minute</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>in the last {n} minutes</source>
        <translation>in den letzten {n} Minuten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>1 forged bounce moved to {folder} {span}</source>
        <translation>1 gefälschter Bounce {span} nach {folder} verschoben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} forged bounces moved to {folder} {span}</source>
        <translation>{n} gefälschte Bounces {span} nach {folder} verschoben</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>1 bounce nobody could vouch for moved to {folder} (see the summary)</source>
        <translation>1 Bounce, für den nichts bürgen konnte, nach {folder} verschoben (siehe Zusammenfassung)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} bounces nobody could vouch for moved to {folder} (see the summary)</source>
        <translation>{n} Bounces, für die nichts bürgen konnte, nach {folder} verschoben (siehe Zusammenfassung)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>1 bounce nobody could vouch for left where it is, to review</source>
        <translation>1 Bounce, für den nichts bürgen konnte, bleibt, wo er ist, zum Ansehen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} bounces nobody could vouch for left where they are, to review</source>
        <translation>{n} Bounces, für die nichts bürgen konnte, bleiben, wo sie sind, zum Ansehen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>1 bounce found that would be moved (monitor only: nothing was moved)</source>
        <translation>1 Bounce gefunden, der verschoben würde (nur Beobachtung: nichts wurde verschoben)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} bounces found that would be moved (monitor only: nothing was moved)</source>
        <translation>{n} Bounces gefunden, die verschoben würden (nur Beobachtung: nichts wurde verschoben)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>1 real bounce moved anyway under the block-all policy</source>
        <translation>1 echter Bounce trotzdem verschoben (Regel block-all)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} real bounces moved anyway under the block-all policy</source>
        <translation>{n} echte Bounces trotzdem verschoben (Regel block-all)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>1 real bounce kept in your inbox: {named}</source>
        <translation>1 echter Bounce in Ihrem Posteingang behalten: {named}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} real bounces kept in your inbox: {named}</source>
        <translation>{n} echte Bounces in Ihrem Posteingang behalten: {named}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (and {n} more)</source>
        <translation> (und {n} weitere)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{n} messages you sent were not delivered</source>
        <translation>{n} von Ihnen gesendete Nachrichten wurden nicht zugestellt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ndrguard moved 1 bounce away</source>
        <translation>ndrguard hat 1 Bounce weggeschoben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ndrguard moved {n} bounces away</source>
        <translation>ndrguard hat {n} Bounces weggeschoben</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Review</source>
        <translation>Ansehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undo last move</source>
        <translation>Letztes Verschieben rückgängig</translation>
    </message>
</context>
</TS>
