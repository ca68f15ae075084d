<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja">
<context>
    <name>AccountsSession</name>
    <message>
        <source>The engine is not running: accounts, tokens and test e-mails need it.</source>
        <translation>エンジンが動作していません。アカウント、トークン、テストメールにはエンジンが必要です。</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <source>Add user</source>
        <translation>ユーザーを追加</translation>
    </message>
    <message>
        <source>Admin (may manage other users)</source>
        <translation>管理者（他のユーザーを管理できます）</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>パスワード（確認）</translation>
    </message>
    <message>
        <source>3-20 characters: letters, digits, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>3〜20 文字：英字、数字、「_」「.」「-」。</translation>
    </message>
    <message>
        <source>At least 8 characters.</source>
        <translation>8 文字以上。</translation>
    </message>
    <message>
        <source>The username must be 3-20 characters: letters, digits, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>ユーザー名は 3〜20 文字（英字、数字、「_」「.」「-」）にしてください。</translation>
    </message>
    <message>
        <source>The e-mail address is not valid.</source>
        <translation>メールアドレスが正しくありません。</translation>
    </message>
    <message>
        <source>The password must have 8 to 256 characters.</source>
        <translation>パスワードは 8〜256 文字にしてください。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>2 つのパスワードが一致しません。</translation>
    </message>
</context>
<context>
    <name>ApiUsersPage</name>
    <message>
        <source>The engine is not running: users and tokens are shown when it runs.</source>
        <translation>エンジンが動作していません。ユーザーとトークンはエンジンの動作中に表示されます。</translation>
    </message>
</context>
<context>
    <name>AvatarLibraryDialog</name>
    <message>
        <source>Avatar Library</source>
        <translation>アバターライブラリ</translation>
    </message>
    <message>
        <source>Import folder…</source>
        <translation>フォルダーをインポート…</translation>
    </message>
    <message>
        <source>Import .zip…</source>
        <translation>.zip をインポート…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>名前を変更…</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>削除…</translation>
    </message>
    <message>
        <source>Use this avatar</source>
        <translation>このアバターを使う</translation>
    </message>
    <message>
        <source>Live2D licence: businesses with yearly revenue over 10 million JPY, and &quot;expandable applications&quot; that load users&apos; models, need a separate agreement with Live2D Inc. (&lt;a href=&quot;https://www.live2d.com/en/sdk/license/&quot;&gt;details&lt;/a&gt;). The built-in avatar needs no such licence.</source>
        <translation>Live2D ライセンス：年間売上高が 1000 万円を超える事業者、およびユーザーのモデルを読み込む「拡張性アプリケーション」は、Live2D Inc. との別途契約が必要です（&lt;a href=&quot;https://www.live2d.com/en/sdk/license/&quot;&gt;詳細&lt;/a&gt;）。内蔵アバターにはこのライセンスは不要です。</translation>
    </message>
    <message>
        <source>Importing {name} …</source>
        <translation>{name} をインポート中 …</translation>
    </message>
    <message>
        <source>Imported {name}.</source>
        <translation>{name} をインポートしました。</translation>
    </message>
    <message>
        <source>Saved. The stage switches to this avatar (at the next start if the engine is off).</source>
        <translation>保存しました。ステージがこのアバターに切り替わります（エンジンが停止中なら次回の起動時）。</translation>
    </message>
    <message>
        <source>Choose a Live2D model folder</source>
        <translation>Live2D モデルのフォルダーを選択</translation>
    </message>
    <message>
        <source>Choose a Live2D model .zip</source>
        <translation>Live2D モデルの .zip を選択</translation>
    </message>
    <message>
        <source>Zip archives (*.zip)</source>
        <translation>Zip アーカイブ (*.zip)</translation>
    </message>
    <message>
        <source>Rename avatar</source>
        <translation>アバターの名前を変更</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新しい名前：</translation>
    </message>
    <message>
        <source>Remove avatar</source>
        <translation>アバターを削除</translation>
    </message>
    <message>
        <source>Remove {id} and its files?</source>
        <translation>{id} とそのファイルを削除しますか？</translation>
    </message>
</context>
<context>
    <name>AvatarStage</name>
    <message>
        <source>The avatar cannot be shown: {problem}</source>
        <translation>アバターを表示できません：{problem}</translation>
    </message>
    <message>
        <source>Avatar stage</source>
        <translation>アバターステージ</translation>
    </message>
</context>
<context>
    <name>AvatarWindow</name>
    <message>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <source>1280 × 720 (720p)</source>
        <translation>1280 × 720 (720p)</translation>
    </message>
    <message>
        <source>1920 × 1080 (1080p)</source>
        <translation>1920 × 1080 (1080p)</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <source>The avatar&apos;s setting</source>
        <translation>アバターの設定に従う</translation>
    </message>
    <message>
        <source>Chroma key green</source>
        <translation>クロマキー（グリーン）</translation>
    </message>
    <message>
        <source>Chroma key blue</source>
        <translation>クロマキー（ブルー）</translation>
    </message>
    <message>
        <source>Chroma key magenta</source>
        <translation>クロマキー（マゼンタ）</translation>
    </message>
    <message>
        <source>Custom colour…</source>
        <translation>カスタムカラー…</translation>
    </message>
    <message>
        <source>Transparent</source>
        <translation>透明</translation>
    </message>
    <message>
        <source>Always on top</source>
        <translation>常に手前に表示</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Chroma key colour</source>
        <translation>クロマキーの色</translation>
    </message>
</context>
<context>
    <name>ChatPanel</name>
    <message>
        <source>The microphone is off.</source>
        <translation>マイクはオフです。</translation>
    </message>
    <message>
        <source>The microphone is not listening yet.</source>
        <translation>マイクはまだ聞き取りを始めていません。</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>チャット</translation>
    </message>
    <message>
        <source>Script</source>
        <translation>台本</translation>
    </message>
    <message>
        <source>Character</source>
        <translation>キャラクター</translation>
    </message>
    <message>
        <source>Chat model</source>
        <translation>対話モデル</translation>
    </message>
    <message>
        <source>Type a message and press Enter.</source>
        <translation>メッセージを入力して Enter で送信。</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>送信</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the reply at once.</source>
        <translation>返答をすぐに止めます。</translation>
    </message>
    <message>
        <source>&amp;Microphone</source>
        <translation>マイク(&amp;M)</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>オフ</translation>
    </message>
    <message>
        <source>Hands-free</source>
        <translation>ハンズフリー</translation>
    </message>
    <message>
        <source>Push to talk</source>
        <translation>プッシュトゥトーク</translation>
    </message>
    <message>
        <source>Hold to talk</source>
        <translation>押している間話す</translation>
    </message>
    <message>
        <source>Microphone level (echo removed).</source>
        <translation>マイクの音量（エコー除去済み）。</translation>
    </message>
</context>
<context>
    <name>ChatSession</name>
    <message>
        <source>The engine is not running.</source>
        <translation>エンジンが動いていません。</translation>
    </message>
    <message>
        <source>Connected to {model}: first reply after {ms} ms.</source>
        <translation>{model} に接続しました：最初の返答まで {ms} ミリ秒。</translation>
    </message>
    <message>
        <source>Models: {models}</source>
        <translation>モデル：{models}</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>(no reply: {detail})</source>
        <translation>（返答なし：{detail}）</translation>
    </message>
    <message>
        <source>{text} (skipped: too many messages)</source>
        <translation>{text}（スキップ：メッセージが多すぎます）</translation>
    </message>
    <message>
        <source>You (speaking): {text}</source>
        <translation>あなた（発話中）：{text}</translation>
    </message>
    <message>
        <source>Avatar</source>
        <translation>アバター</translation>
    </message>
    <message>
        <source>(interrupted; heard: {heard})</source>
        <translation>（中断；聞こえた部分：{heard}）</translation>
    </message>
    <message>
        <source>You: {text}</source>
        <translation>あなた：{text}</translation>
    </message>
</context>
<context>
    <name>CloneSpeakerCombo</name>
    <message>
        <source>None (each voice&apos;s own timbre)</source>
        <translation>なし（各音声の本来の声質）</translation>
    </message>
    <message>
        <source>{speaker} (not found)</source>
        <translation>{speaker}（見つかりません）</translation>
    </message>
    <message>
        <source>Voices that clone (VoxCPM) imitate this speaker. Add speakers on the Speakers tab.</source>
        <translation>クローン音声（VoxCPM）はこの話者をまねます。話者は「話者」タブで追加します。</translation>
    </message>
</context>
<context>
    <name>CreateTokenDialog</name>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>Acts as user</source>
        <translation>代理するユーザー</translation>
    </message>
    <message>
        <source>Create plugin token</source>
        <translation>プラグイントークンを作成</translation>
    </message>
    <message>
        <source>e.g. obs-plugin</source>
        <translation>例：obs-plugin</translation>
    </message>
</context>
<context>
    <name>DeviceCombo</name>
    <message>
        <source>System default</source>
        <translation>システムの既定</translation>
    </message>
    <message>
        <source> (default)</source>
        <translation>（既定）</translation>
    </message>
    <message>
        <source>{device} (not connected)</source>
        <translation>{device}（未接続）</translation>
    </message>
</context>
<context>
    <name>GuiMain</name>
    <message>
        <source>Port in use</source>
        <translation>ポートが使用中です</translation>
    </message>
    <message>
        <source>{problem}

The studio starts without its API.</source>
        <translation>{problem}

スタジオは API なしで起動します。</translation>
    </message>
    <message>
        <source>Engine failed</source>
        <translation>エンジンエラー</translation>
    </message>
    <message>
        <source>Port {port} is in use by another program, so the studio&apos;s API cannot start there.

Use the free port {free} instead (saved in Settings)? Choose No to start without the API.</source>
        <translation>ポート {port} は別のプログラムが使用中のため、スタジオの API をそこで起動できません。

代わりに空いているポート {free} を使いますか（設定に保存されます）？「いいえ」を選ぶと API なしで起動します。</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>エラー %n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>Follow new lines</source>
        <translation>新しい行を追う</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>クリア</translation>
    </message>
    <message>
        <source>Clear the view (the log file keeps everything).</source>
        <translation>表示をクリアします（ログファイルにはすべて残ります）。</translation>
    </message>
    <message>
        <source>No log lines yet.</source>
        <translation>ログはまだありません。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>About Cream Studio</source>
        <translation>Cream Studio について</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Cream Studio {version}&lt;/h3&gt;&lt;p&gt;An AI VTuber studio: avatar, voice, chat and live streaming on your own computer.&lt;/p&gt;&lt;p&gt;Settings: {config}&lt;br&gt;Logs: {logs}&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Cream Studio {version}&lt;/h3&gt;&lt;p&gt;AI VTuber スタジオ：アバター、音声、チャット、ライブ配信をすべて自分のパソコンで。&lt;/p&gt;&lt;p&gt;設定：{config}&lt;br&gt;ログ：{logs}&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Could not open {folder}</source>
        <translation>{folder} を開けませんでした</translation>
    </message>
    <message>
        <source>Port {port} is in use by another program.</source>
        <translation>ポート {port} は別のプログラムが使用中です。</translation>
    </message>
    <message>
        <source>Port in use</source>
        <translation>ポートが使用中です</translation>
    </message>
    <message>
        <source>Port {port} is in use by another program. Use the free port {free} instead?</source>
        <translation>ポート {port} は別のプログラムが使用中です。代わりに空いているポート {free} を使いますか？</translation>
    </message>
    <message>
        <source>Cream Studio</source>
        <translation>Cream Studio</translation>
    </message>
    <message>
        <source>Chat / Script</source>
        <translation>チャット / 台本</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>音声</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>配信</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>ログ</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>設定(&amp;S)…</translation>
    </message>
    <message>
        <source>Avatar &amp;Library…</source>
        <translation>アバターライブラリ(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Avatar Window (for OBS)</source>
        <translation>アバターウィンドウ（OBS 用）(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>テーマ(&amp;T)</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>システムに合わせる</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>ライト</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>ダーク</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>システムの既定</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <source>Open &amp;Log Folder</source>
        <translation>ログフォルダーを開く(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;About Cream Studio</source>
        <translation>Cream Studio について(&amp;A)</translation>
    </message>
    <message>
        <source>Quit while live?</source>
        <translation>配信中に終了しますか？</translation>
    </message>
    <message>
        <source>You are live. Stop the stream and quit?</source>
        <translation>現在配信中です。配信を止めて終了しますか？</translation>
    </message>
</context>
<context>
    <name>Notification</name>
    <message>
        <source>Problem in {source}</source>
        <translation>{source} で問題が発生しました</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>問題が発生しました</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>閉じる</translation>
    </message>
</context>
<context>
    <name>OutputRow</name>
    <message>
        <source>Stream to this output too when going live.</source>
        <translation>配信開始時にこの出力先にも配信します。</translation>
    </message>
    <message>
        <source>id, e.g. youtube</source>
        <translation>ID（例：youtube）</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Key saved (hidden) — type to replace</source>
        <translation>キー保存済み（非表示）— 入力すると置き換えます</translation>
    </message>
    <message>
        <source>Stream key</source>
        <translation>ストリームキー</translation>
    </message>
</context>
<context>
    <name>PersonaForm</name>
    <message>
        <source>&amp;Name</source>
        <translation>名前(&amp;N)</translation>
    </message>
    <message>
        <source>System &amp;prompt</source>
        <translation>システムプロンプト(&amp;P)</translation>
    </message>
    <message>
        <source>Speaking &amp;style</source>
        <translation>話し方(&amp;S)</translation>
    </message>
    <message>
        <source>Emotions</source>
        <translation>感情</translation>
    </message>
    <message>
        <source>Save character</source>
        <translation>キャラクターを保存</translation>
    </message>
    <message>
        <source>Reset to default</source>
        <translation>初期設定に戻す</translation>
    </message>
    <message>
        <source>Restore the default character card.</source>
        <translation>既定のキャラクターカードに戻します。</translation>
    </message>
</context>
<context>
    <name>ProviderForm</name>
    <message>
        <source>the server&apos;s model</source>
        <translation>サーバーのモデル</translation>
    </message>
    <message>
        <source>Check the base URL: it must start with http:// or https://.</source>
        <translation>ベース URL を確認してください：http:// または https:// で始まる必要があります。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>保存しました。</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>接続をテスト中…</translation>
    </message>
    <message>
        <source>Connection works.</source>
        <translation>接続できました。</translation>
    </message>
    <message>
        <source>Connection failed:</source>
        <translation>接続に失敗しました：</translation>
    </message>
    <message>
        <source>&amp;Provider</source>
        <translation>プロバイダー(&amp;P)</translation>
    </message>
    <message>
        <source>Base &amp;URL</source>
        <translation>ベース URL(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>モデル(&amp;M)</translation>
    </message>
    <message>
        <source>API &amp;key</source>
        <translation>API キー(&amp;K)</translation>
    </message>
    <message>
        <source>Saved in the secrets store; leave empty to keep it.</source>
        <translation>シークレットストアに保存されます。空欄なら現在のキーのままです。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>接続テスト</translation>
    </message>
</context>
<context>
    <name>ScriptPanel</name>
    <message>
        <source>Saved “{title}”.</source>
        <translation>「{title}」を保存しました。</translation>
    </message>
    <message>
        <source>(untitled)</source>
        <translation>（無題）</translation>
    </message>
    <message>
        <source>Paste a script</source>
        <translation>台本を貼り付け</translation>
    </message>
    <message>
        <source>Chapters start at headings or blank lines:</source>
        <translation>章は見出しか空行で区切られます：</translation>
    </message>
    <message>
        <source>Enter a topic first.</source>
        <translation>先にテーマを入力してください。</translation>
    </message>
    <message>
        <source>Writing the outline…</source>
        <translation>構成を作成中…</translation>
    </message>
    <message>
        <source>Write an outline or paste a script first.</source>
        <translation>先に構成を作るか台本を貼り付けてください。</translation>
    </message>
    <message>
        <source>Every chapter has text. Clear a chapter to write it again.</source>
        <translation>すべての章に本文があります。書き直すには章を空にしてください。</translation>
    </message>
    <message>
        <source>Writing the script…</source>
        <translation>台本を作成中…</translation>
    </message>
    <message>
        <source>Chapter {n} written.</source>
        <translation>第 {n} 章を書きました。</translation>
    </message>
    <message>
        <source>There is nothing to read yet.</source>
        <translation>読み上げる内容がまだありません。</translation>
    </message>
    <message>
        <source>Chapter {c}/{cs}, sentence {s}/{ss}</source>
        <translation>第 {c}/{cs} 章、{s}/{ss} 文目</translation>
    </message>
    <message>
        <source>Finished reading.</source>
        <translation>読み上げが終わりました。</translation>
    </message>
    <message>
        <source>Reading stopped.</source>
        <translation>読み上げを停止しました。</translation>
    </message>
    <message>
        <source>Reading failed: {detail}</source>
        <translation>読み上げに失敗しました：{detail}</translation>
    </message>
    <message>
        <source>Stop writing</source>
        <translation>作成を中止</translation>
    </message>
    <message>
        <source>Write script</source>
        <translation>台本を書く</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>一時停止</translation>
    </message>
    <message>
        <source>Read aloud</source>
        <translation>読み上げ</translation>
    </message>
    <message>
        <source>Topic of the stream, e.g. “Three tips for better sleep”</source>
        <translation>配信のテーマ（例：「よく眠るための3つのコツ」）</translation>
    </message>
    <message>
        <source>Write outline</source>
        <translation>構成を作成</translation>
    </message>
    <message>
        <source>The selected chapter&apos;s text. Edit freely; [happy] style tags set the avatar&apos;s emotion.</source>
        <translation>選んだ章の本文です。自由に編集できます。[happy] のようなタグでアバターの感情を指定します。</translation>
    </message>
    <message>
        <source>Paste script…</source>
        <translation>台本を貼り付け…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>読み込む</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>スキップ</translation>
    </message>
    <message>
        <source>Jump to chapter</source>
        <translation>この章へ移動</translation>
    </message>
    <message>
        <source>Read from the start of the selected chapter.</source>
        <translation>選んだ章の最初から読み上げます。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
</context>
<context>
    <name>ScriptSession</name>
    <message>
        <source>The engine is not running.</source>
        <translation>エンジンが動いていません。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Users and tokens</source>
        <translation>ユーザーとトークン</translation>
    </message>
    <message>
        <source>Set by the environment variable {name}.</source>
        <translation>環境変数 {name} で設定されています。</translation>
    </message>
</context>
<context>
    <name>SettingsTexts</name>
    <message>
        <source>Other web origins allowed to call the API from a browser (CORS), e.g. https://example.com.</source>
        <translation>ブラウザーから API を呼び出せるほかの Web オリジン（CORS）。例：https://example.com。</translation>
    </message>
    <message>
        <source>Voice used for speech; empty picks the default voice of each language.</source>
        <translation>読み上げに使うボイス。空欄なら言語ごとの既定のボイスを使います。</translation>
    </message>
    <message>
        <source>Default Mandarin voice id; empty for the built-in one.</source>
        <translation>中国語（普通話）の既定のボイス ID。空欄なら内蔵ボイスを使います。</translation>
    </message>
    <message>
        <source>Default English voice id; empty for the built-in one.</source>
        <translation>英語の既定のボイス ID。空欄なら内蔵ボイスを使います。</translation>
    </message>
    <message>
        <source>Default Japanese voice id; empty for the built-in one.</source>
        <translation>日本語の既定のボイス ID。空欄なら内蔵ボイスを使います。</translation>
    </message>
    <message>
        <source>Speaking rate (0.5-2.0).</source>
        <translation>話す速さ（0.5〜2.0）。</translation>
    </message>
    <message>
        <source>Pitch shift in semitones, where the voice supports it.</source>
        <translation>ピッチの変更量（半音単位、対応するボイスのみ）。</translation>
    </message>
    <message>
        <source>Voice volume (0-2).</source>
        <translation>ボイスの音量（0〜2）。</translation>
    </message>
    <message>
        <source>GPT-SoVITS api_v2 server, e.g. http://127.0.0.1:9880; empty = off.</source>
        <translation>GPT-SoVITS api_v2 サーバー。例：http://127.0.0.1:9880。空欄ならオフ。</translation>
    </message>
    <message>
        <source>Reference audio path on the GPT-SoVITS server.</source>
        <translation>GPT-SoVITS サーバー上の参照音声のパス。</translation>
    </message>
    <message>
        <source>Transcript of the reference audio.</source>
        <translation>参照音声の書き起こしテキスト。</translation>
    </message>
    <message>
        <source>Language of the reference audio (zh, en, ja ...).</source>
        <translation>参照音声の言語（zh、en、ja など）。</translation>
    </message>
    <message>
        <source>GPT-SoVITS streaming mode (0-3).</source>
        <translation>GPT-SoVITS のストリーミングモード（0〜3）。</translation>
    </message>
    <message>
        <source>OpenAI-compatible API base, e.g. https://api.openai.com/v1; empty = off.</source>
        <translation>OpenAI 互換 API のベース URL。例：https://api.openai.com/v1。空欄ならオフ。</translation>
    </message>
    <message>
        <source>Speech model name of that service.</source>
        <translation>そのサービスの音声モデル名。</translation>
    </message>
    <message>
        <source>Voice name of that service.</source>
        <translation>そのサービスのボイス名。</translation>
    </message>
    <message>
        <source>Id of the avatar shown (see the avatar library).</source>
        <translation>表示するアバターの ID（アバターライブラリを参照）。</translation>
    </message>
    <message>
        <source>Size of the avatar (OBS) window.</source>
        <translation>アバター（OBS）ウィンドウのサイズ。</translation>
    </message>
    <message>
        <source>Background colour of the avatar window, e.g. #00ff00; empty = the avatar&apos;s own.</source>
        <translation>アバターウィンドウの背景色（例：#00ff00）。空欄ならアバター自身の背景。</translation>
    </message>
    <message>
        <source>Keep the avatar window above other windows.</source>
        <translation>アバターウィンドウを常に他のウィンドウの上に表示します。</translation>
    </message>
    <message>
        <source>Platform preset (fills server, size and bitrate).</source>
        <translation>プラットフォームのプリセット（サーバー・解像度・ビットレートを入力します）。</translation>
    </message>
    <message>
        <source>RTMP or RTMPS server URL, e.g. rtmp://live-push.bilivideo.com/live-bvc/ (no key).</source>
        <translation>RTMP / RTMPS サーバーの URL。例：rtmp://live-push.bilivideo.com/live-bvc/（キーは含めない）。</translation>
    </message>
    <message>
        <source>Stream width in pixels (even).</source>
        <translation>配信映像の幅（ピクセル、偶数）。</translation>
    </message>
    <message>
        <source>Stream height in pixels (even).</source>
        <translation>配信映像の高さ（ピクセル、偶数）。</translation>
    </message>
    <message>
        <source>Frames per second.</source>
        <translation>1 秒あたりのフレーム数。</translation>
    </message>
    <message>
        <source>Video bitrate (constant), kbit/s.</source>
        <translation>映像ビットレート（固定）、kbit/s。</translation>
    </message>
    <message>
        <source>AAC audio bitrate, kbit/s.</source>
        <translation>AAC 音声ビットレート、kbit/s。</translation>
    </message>
    <message>
        <source>H.264 encoder; auto uses a hardware one when it opens, else libx264.</source>
        <translation>H.264 エンコーダー。自動：ハードウェアが使えればそれを、なければ libx264 を使います。</translation>
    </message>
    <message>
        <source>libx264 speed preset (faster = less CPU, lower quality).</source>
        <translation>libx264 の速度プリセット（速いほど CPU 負荷が低く、画質も下がります）。</translation>
    </message>
    <message>
        <source>Seconds between keyframes.</source>
        <translation>キーフレームの間隔（秒）。</translation>
    </message>
    <message>
        <source>hands_free (voice activity), push_to_talk (hold a key/button) or off.</source>
        <translation>hands_free（音声区間検出）、push_to_talk（キー/ボタンを押して話す）、off（オフ）。</translation>
    </message>
    <message>
        <source>Recognition language: auto, zh, en or ja.</source>
        <translation>認識言語: auto（自動）、zh、en、ja。</translation>
    </message>
    <message>
        <source>Speech probability at which a frame counts as speech.</source>
        <translation>フレームを音声とみなす確率のしきい値。</translation>
    </message>
    <message>
        <source>Probability below which a frame counts as silence.</source>
        <translation>この確率を下回るフレームを無音とみなします。</translation>
    </message>
    <message>
        <source>Speech needed before the user counts as speaking (ms).</source>
        <translation>話し始めとみなすまでに必要な音声の長さ（ミリ秒）。</translation>
    </message>
    <message>
        <source>Silence that ends an utterance (ms).</source>
        <translation>発話の終わりとみなす無音の長さ（ミリ秒）。</translation>
    </message>
    <message>
        <source>An utterance longer than this is cut and transcribed.</source>
        <translation>これより長い発話は区切って認識します。</translation>
    </message>
    <message>
        <source>Shortest interval between partial transcripts (s).</source>
        <translation>途中経過の文字起こしの最短間隔（秒）。</translation>
    </message>
    <message>
        <source>Only answer utterances that start with this name; empty answers all.</source>
        <translation>この名前で始まる発話にだけ応答します。空欄ならすべてに応答。</translation>
    </message>
    <message>
        <source>Stop the studio&apos;s speech when the user starts speaking.</source>
        <translation>ユーザーが話し始めたらスタジオの発話を止めます。</translation>
    </message>
    <message>
        <source>Remove the studio&apos;s own voice from the microphone (WebRTC AEC).</source>
        <translation>マイクからスタジオ自身の声を取り除きます（WebRTC エコーキャンセル）。</translation>
    </message>
    <message>
        <source>How far speech must rise above the echo estimate (dB).</source>
        <translation>音声がエコー推定をどれだけ上回る必要があるか（dB）。</translation>
    </message>
    <message>
        <source>Provider preset: sets the base URL and a default model (custom = your own URL).</source>
        <translation>プロバイダーのプリセット: ベース URL と既定のモデルを設定します（カスタム = 独自の URL）。</translation>
    </message>
    <message>
        <source>OpenAI-compatible API base, e.g. https://api.deepseek.com/v1; empty = the preset&apos;s.</source>
        <translation>OpenAI 互換 API のベース URL（例: https://api.deepseek.com/v1）。空欄ならプリセットの URL。</translation>
    </message>
    <message>
        <source>Model name at the provider; empty = the preset&apos;s default model.</source>
        <translation>プロバイダー側のモデル名。空欄ならプリセットの既定モデル。</translation>
    </message>
    <message>
        <source>Randomness of replies (0-2).</source>
        <translation>返答のランダムさ（0〜2）。</translation>
    </message>
    <message>
        <source>Longest reply, in tokens (spoken replies are short).</source>
        <translation>返答の最大長（トークン）。読み上げる返答は短めです。</translation>
    </message>
    <message>
        <source>Give up when the provider sends nothing for this long (connect, first token, gaps).</source>
        <translation>プロバイダーからこの時間何も届かなければ諦めます（接続、最初のトークン、途中の間）。</translation>
    </message>
    <message>
        <source>Retries of a failed request before the reply starts (429, 5xx, network).</source>
        <translation>返答が始まる前に失敗したリクエストの再試行回数（429、5xx、ネットワーク）。</translation>
    </message>
    <message>
        <source>Prompt budget in tokens; older turns are summarised to stay within it.</source>
        <translation>プロンプトの予算（トークン）。古い会話は要約して予算内に収めます。</translation>
    </message>
    <message>
        <source>Id of the character card (persona) the studio speaks as.</source>
        <translation>スタジオが演じるキャラクターカード（ペルソナ）の ID。</translation>
    </message>
    <message>
        <source>SMTP server name, e.g. smtp.example.com; empty = no e-mail codes.</source>
        <translation>SMTP サーバー名（例: smtp.example.com）。空欄ならメール認証コードを送りません。</translation>
    </message>
    <message>
        <source>SMTP port: 587 for STARTTLS, 465 for TLS, 25 for none.</source>
        <translation>SMTP ポート: STARTTLS は 587、TLS は 465、暗号化なしは 25。</translation>
    </message>
    <message>
        <source>starttls (upgrade after connecting), tls (TLS at once) or none (local tests only).</source>
        <translation>starttls（接続後に暗号化）、tls（最初から TLS）、none（ローカルテスト専用）。</translation>
    </message>
    <message>
        <source>Login name at the SMTP server; empty = no login.</source>
        <translation>SMTP サーバーのログイン名。空欄ならログインしません。</translation>
    </message>
    <message>
        <source>Sender address of the code mails; empty = the login name.</source>
        <translation>認証コードメールの送信元アドレス。空欄ならログイン名を使います。</translation>
    </message>
    <message>
        <source>Sender name shown in the mail program.</source>
        <translation>メールソフトに表示される送信者名。</translation>
    </message>
    <message>
        <source>Check the server&apos;s TLS certificate (leave on).</source>
        <translation>サーバーの TLS 証明書を検証します（オンのままにしてください）。</translation>
    </message>
    <message>
        <source>Extra CA certificate file (PEM) to trust, for a server with its own certificate.</source>
        <translation>独自証明書のサーバー用に追加で信頼する CA 証明書ファイル（PEM）。</translation>
    </message>
    <message>
        <source>Give up on the server after this long.</source>
        <translation>この時間を過ぎても応答がなければ諦めます。</translation>
    </message>
    <message>
        <source>Stream background colour behind the avatar.</source>
        <translation>配信映像でアバターの後ろに表示する背景色。</translation>
    </message>
    <message>
        <source>Reconnection attempts after a connection loss (0 = never give up).</source>
        <translation>接続が切れたときの再接続回数（0 = 諦めない）。</translation>
    </message>
    <message>
        <source>First reconnection delay, seconds.</source>
        <translation>最初の再接続までの待ち時間（秒）。</translation>
    </message>
    <message>
        <source>Longest reconnection delay (the delay doubles up to it).</source>
        <translation>再接続の最大待ち時間（待ち時間はこの値まで倍になっていきます）。</translation>
    </message>
    <message>
        <source>Record locally whenever you go live.</source>
        <translation>配信中は常にローカルに録画します。</translation>
    </message>
    <message>
        <source>Recording file format (mp4, mkv or flv).</source>
        <translation>録画ファイルの形式（mp4、mkv、flv）。</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>インターフェース</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>オーディオ</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>音声</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>ストレージ</translation>
    </message>
    <message>
        <source>Logging</source>
        <translation>ログ記録</translation>
    </message>
    <message>
        <source>Avatar</source>
        <translation>アバター</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>配信</translation>
    </message>
    <message>
        <source>E-mail (SMTP)</source>
        <translation>メール（SMTP）</translation>
    </message>
    <message>
        <source>Language model</source>
        <translation>言語モデル</translation>
    </message>
    <message>
        <source>Listening</source>
        <translation>リスニング</translation>
    </message>
    <message>
        <source>Serve the local API</source>
        <translation>ローカル API を提供する</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>ホスト</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <source>Also serve on original ports</source>
        <translation>元のポートでも提供する</translation>
    </message>
    <message>
        <source>Allow pages from this computer</source>
        <translation>このパソコンのページを許可</translation>
    </message>
    <message>
        <source>Other allowed web origins</source>
        <translation>ほかに許可する Web オリジン</translation>
    </message>
    <message>
        <source>Largest request (MiB)</source>
        <translation>最大リクエスト (MiB)</translation>
    </message>
    <message>
        <source>GPT-SoVITS clients may stop the engine</source>
        <translation>GPT-SoVITS クライアントにエンジン停止を許可</translation>
    </message>
    <message>
        <source>Largest model archive (MiB)</source>
        <translation>モデルアーカイブの上限（MiB）</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>テーマ</translation>
    </message>
    <message>
        <source>Ask before quitting while live</source>
        <translation>配信中の終了前に確認する</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>スピーカー</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>マイク</translation>
    </message>
    <message>
        <source>Mandarin voice</source>
        <translation>中国語（普通話）のボイス</translation>
    </message>
    <message>
        <source>English voice</source>
        <translation>英語のボイス</translation>
    </message>
    <message>
        <source>Japanese voice</source>
        <translation>日本語のボイス</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>話す速さ</translation>
    </message>
    <message>
        <source>Pitch (semitones)</source>
        <translation>ピッチ（半音）</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>GPT-SoVITS server</source>
        <translation>GPT-SoVITS サーバー</translation>
    </message>
    <message>
        <source>GPT-SoVITS reference audio</source>
        <translation>GPT-SoVITS 参照音声</translation>
    </message>
    <message>
        <source>Reference transcript</source>
        <translation>参照音声の書き起こし</translation>
    </message>
    <message>
        <source>Reference language</source>
        <translation>参照音声の言語</translation>
    </message>
    <message>
        <source>GPT-SoVITS streaming mode</source>
        <translation>GPT-SoVITS ストリーミングモード</translation>
    </message>
    <message>
        <source>OpenAI-compatible server</source>
        <translation>OpenAI 互換サーバー</translation>
    </message>
    <message>
        <source>Speech model</source>
        <translation>音声モデル</translation>
    </message>
    <message>
        <source>Service voice</source>
        <translation>サービス側のボイス</translation>
    </message>
    <message>
        <source>VoxCPM model</source>
        <translation>VoxCPM モデル</translation>
    </message>
    <message>
        <source>VoxCPM device</source>
        <translation>VoxCPM の実行デバイス</translation>
    </message>
    <message>
        <source>Clone speaker</source>
        <translation>クローン話者</translation>
    </message>
    <message>
        <source>Database safety</source>
        <translation>データベースの安全性</translation>
    </message>
    <message>
        <source>Log level</source>
        <translation>ログレベル</translation>
    </message>
    <message>
        <source>Rotate log at (MiB)</source>
        <translation>ログを切り替えるサイズ (MiB)</translation>
    </message>
    <message>
        <source>Old log files kept</source>
        <translation>保持する古いログファイル数</translation>
    </message>
    <message>
        <source>Serve the local API while the studio runs.</source>
        <translation>スタジオの実行中にローカル API を提供します。</translation>
    </message>
    <message>
        <source>Interface to listen on. Anything but loopback exposes the studio to the network.</source>
        <translation>待ち受けるインターフェース。ループバック以外を指定すると、スタジオがネットワークに公開されます。</translation>
    </message>
    <message>
        <source>Main API port.</source>
        <translation>API のメインポート。</translation>
    </message>
    <message>
        <source>Let web pages served from this computer (any port) call the API.</source>
        <translation>このパソコン（任意のポート）から配信される Web ページが API を呼び出せるようにします。</translation>
    </message>
    <message>
        <source>Largest request body accepted, in MiB.</source>
        <translation>受け付けるリクエスト本文の最大サイズ（MiB）。</translation>
    </message>
    <message>
        <source>Interface language.</source>
        <translation>インターフェースの言語。</translation>
    </message>
    <message>
        <source>Light or dark colours.</source>
        <translation>ライトまたはダークの配色。</translation>
    </message>
    <message>
        <source>Ask before quitting while streaming.</source>
        <translation>配信中に終了する前に確認します。</translation>
    </message>
    <message>
        <source>Speaker device name; empty for the system default.</source>
        <translation>スピーカーのデバイス名。空欄ならシステムの既定を使います。</translation>
    </message>
    <message>
        <source>Microphone device name; empty for the system default.</source>
        <translation>マイクのデバイス名。空欄ならシステムの既定を使います。</translation>
    </message>
    <message>
        <source>FULL survives power loss; NORMAL is faster and survives a crash of the app.</source>
        <translation>「完全」は停電でもデータを守ります。「通常」はより高速で、アプリのクラッシュには耐えます。</translation>
    </message>
    <message>
        <source>Least important messages written to the log.</source>
        <translation>ログに書き込む最も低い重要度。</translation>
    </message>
    <message>
        <source>Size at which the log file rotates, in MiB.</source>
        <translation>ログファイルを切り替えるサイズ（MiB）。</translation>
    </message>
    <message>
        <source>Old log files kept.</source>
        <translation>保持する古いログファイルの数。</translation>
    </message>
    <message>
        <source>Avatar window size</source>
        <translation>アバターウィンドウのサイズ</translation>
    </message>
    <message>
        <source>Avatar window background</source>
        <translation>アバターウィンドウの背景</translation>
    </message>
    <message>
        <source>Avatar window on top</source>
        <translation>アバターウィンドウを最前面に</translation>
    </message>
    <message>
        <source>Platform</source>
        <translation>プラットフォーム</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>サーバー URL</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>幅</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高さ</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>フレームレート</translation>
    </message>
    <message>
        <source>Video bitrate (kbit/s)</source>
        <translation>映像ビットレート（kbit/s）</translation>
    </message>
    <message>
        <source>Audio bitrate (kbit/s)</source>
        <translation>音声ビットレート（kbit/s）</translation>
    </message>
    <message>
        <source>Video encoder</source>
        <translation>映像エンコーダー</translation>
    </message>
    <message>
        <source>x264 speed preset</source>
        <translation>x264 速度プリセット</translation>
    </message>
    <message>
        <source>Keyframe interval (s)</source>
        <translation>キーフレーム間隔（秒）</translation>
    </message>
    <message>
        <source>Background colour</source>
        <translation>背景色</translation>
    </message>
    <message>
        <source>Reconnection attempts</source>
        <translation>再接続回数</translation>
    </message>
    <message>
        <source>First reconnection delay (s)</source>
        <translation>最初の再接続待ち（秒）</translation>
    </message>
    <message>
        <source>Longest reconnection delay (s)</source>
        <translation>最大の再接続待ち（秒）</translation>
    </message>
    <message>
        <source>Record while live</source>
        <translation>配信中に録画</translation>
    </message>
    <message>
        <source>Recording format</source>
        <translation>録画形式</translation>
    </message>
    <message>
        <source>Microphone mode</source>
        <translation>マイクモード</translation>
    </message>
    <message>
        <source>Recognition language</source>
        <translation>認識言語</translation>
    </message>
    <message>
        <source>Speech threshold</source>
        <translation>音声しきい値</translation>
    </message>
    <message>
        <source>Silence threshold</source>
        <translation>無音しきい値</translation>
    </message>
    <message>
        <source>Speech before it counts (ms)</source>
        <translation>話し始め判定までの長さ（ミリ秒）</translation>
    </message>
    <message>
        <source>Silence that ends speech (ms)</source>
        <translation>発話終了の無音（ミリ秒）</translation>
    </message>
    <message>
        <source>Longest utterance (s)</source>
        <translation>最長発話（秒）</translation>
    </message>
    <message>
        <source>Partial transcript interval (s)</source>
        <translation>途中経過の間隔（秒）</translation>
    </message>
    <message>
        <source>Wake word</source>
        <translation>ウェイクワード</translation>
    </message>
    <message>
        <source>Stop speaking when interrupted</source>
        <translation>割り込まれたら話すのをやめる</translation>
    </message>
    <message>
        <source>Echo cancellation</source>
        <translation>エコーキャンセル</translation>
    </message>
    <message>
        <source>Margin over the echo (dB)</source>
        <translation>エコーに対する余裕（dB）</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>プロバイダー</translation>
    </message>
    <message>
        <source>API base URL</source>
        <translation>API ベース URL</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Longest reply (tokens)</source>
        <translation>最大返答長（トークン）</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>再試行回数</translation>
    </message>
    <message>
        <source>Prompt budget (tokens)</source>
        <translation>プロンプト予算（トークン）</translation>
    </message>
    <message>
        <source>Persona</source>
        <translation>ペルソナ</translation>
    </message>
    <message>
        <source>SMTP server</source>
        <translation>SMTP サーバー</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>暗号化</translation>
    </message>
    <message>
        <source>Login name</source>
        <translation>ログイン名</translation>
    </message>
    <message>
        <source>Sender address</source>
        <translation>送信元アドレス</translation>
    </message>
    <message>
        <source>Sender name</source>
        <translation>送信者名</translation>
    </message>
    <message>
        <source>Check the certificate</source>
        <translation>証明書を検証</translation>
    </message>
    <message>
        <source>Extra CA file</source>
        <translation>追加 CA ファイル</translation>
    </message>
    <message>
        <source>Timeout (s)</source>
        <translation>タイムアウト（秒）</translation>
    </message>
    <message>
        <source>Serve the compatible APIs on their original ports too (9080, 5001, 8888, 9880, 7861, 12393).</source>
        <translation>互換 API を元のポートでも提供します（9080、5001、8888、9880、7861、12393）。</translation>
    </message>
    <message>
        <source>Let GPT-SoVITS clients stop the engine with /control?command=exit (off: refused).</source>
        <translation>GPT-SoVITS クライアントが /control?command=exit でエンジンを停止できるようにします（オフ：拒否）。</translation>
    </message>
    <message>
        <source>Largest voice model archive accepted by the import route, in MiB.</source>
        <translation>インポート API が受け付ける音声モデルアーカイブの上限（MiB）。</translation>
    </message>
    <message>
        <source>Imported VoxCPM model to load (Voice -&gt; Models); empty = VoxCPM off.</source>
        <translation>読み込むインポート済み VoxCPM モデル（音声 -&gt; モデル）。空欄で VoxCPM はオフ。</translation>
    </message>
    <message>
        <source>Where VoxCPM runs: auto picks CUDA, then Apple MPS, then the CPU.</source>
        <translation>VoxCPM の実行場所：自動では CUDA、Apple MPS、CPU の順に選びます。</translation>
    </message>
    <message>
        <source>Speaker (Voice -&gt; Speakers) that cloning voices imitate; empty = the model&apos;s own voice.</source>
        <translation>クローン音声がまねる話者（音声 -&gt; 話者）。空欄ではモデル本来の声。</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>システムの既定</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>システムに合わせる</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>ライト</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>ダーク</translation>
    </message>
    <message>
        <source>Custom RTMP server</source>
        <translation>カスタム RTMP サーバー</translation>
    </message>
    <message>
        <source>Bilibili</source>
        <translation>ビリビリ</translation>
    </message>
    <message>
        <source>Douyin</source>
        <translation>Douyin（抖音）</translation>
    </message>
    <message>
        <source>Kuaishou</source>
        <translation>Kuaishou（快手）</translation>
    </message>
    <message>
        <source>Xiaohongshu</source>
        <translation>小紅書</translation>
    </message>
    <message>
        <source>Hands-free (voice activity)</source>
        <translation>ハンズフリー（音声区間検出）</translation>
    </message>
    <message>
        <source>Push to talk</source>
        <translation>プッシュトゥトーク</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>オフ</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自動</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA GPU（CUDA）</translation>
    </message>
    <message>
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU（MPS）</translation>
    </message>
    <message>
        <source>SiliconFlow</source>
        <translation>SiliconFlow</translation>
    </message>
    <message>
        <source>Volcano Ark (Doubao)</source>
        <translation>Volcano Ark（Doubao）</translation>
    </message>
    <message>
        <source>Tencent Hunyuan</source>
        <translation>Tencent Hunyuan</translation>
    </message>
    <message>
        <source>Zhipu GLM</source>
        <translation>Zhipu GLM</translation>
    </message>
    <message>
        <source>Moonshot (Kimi)</source>
        <translation>Moonshot（Kimi）</translation>
    </message>
    <message>
        <source>Qwen (DashScope)</source>
        <translation>Qwen（DashScope）</translation>
    </message>
    <message>
        <source>Custom server</source>
        <translation>カスタムサーバー</translation>
    </message>
    <message>
        <source>STARTTLS (port 587)</source>
        <translation>STARTTLS（ポート 587）</translation>
    </message>
    <message>
        <source>TLS (port 465)</source>
        <translation>TLS（ポート 465）</translation>
    </message>
    <message>
        <source>None (local tests only)</source>
        <translation>なし（ローカルテスト専用）</translation>
    </message>
    <message>
        <source>Automatic (hardware if available)</source>
        <translation>自動（使えればハードウェア）</translation>
    </message>
    <message>
        <source>Full (safest)</source>
        <translation>完全（最も安全）</translation>
    </message>
    <message>
        <source>Normal (faster)</source>
        <translation>通常（高速）</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>デバッグ</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>情報</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>{label} ({key}): {message}</source>
        <translation>{label}（{key}）：{message}</translation>
    </message>
</context>
<context>
    <name>SmtpExtras</name>
    <message>
        <source>Type the address the test e-mail should go to.</source>
        <translation>テストメールの宛先を入力してください。</translation>
    </message>
    <message>
        <source>Enter the SMTP server first.</source>
        <translation>先に SMTP サーバーを入力してください。</translation>
    </message>
    <message>
        <source>Enter a sender address (or a login name that is an address).</source>
        <translation>送信元アドレス（またはメールアドレス形式のログイン名）を入力してください。</translation>
    </message>
    <message>
        <source>Sending a test e-mail to {address} ...</source>
        <translation>{address} にテストメールを送信中…</translation>
    </message>
    <message>
        <source>Cream Studio: test e-mail</source>
        <translation>Cream Studio：テストメール</translation>
    </message>
    <message>
        <source>This is a test e-mail from Cream Studio. The SMTP settings work: registration and password-reset codes can be sent.</source>
        <translation>これは Cream Studio からのテストメールです。SMTP 設定は有効です。登録とパスワード再設定のコードを送信できます。</translation>
    </message>
    <message>
        <source>Test e-mail sent to {address}.</source>
        <translation>{address} にテストメールを送信しました。</translation>
    </message>
    <message>
        <source>The test e-mail failed: {error}</source>
        <translation>テストメールの送信に失敗しました：{error}</translation>
    </message>
    <message>
        <source>SMTP password and test</source>
        <translation>SMTP パスワードとテスト</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Remove the stored SMTP password.</source>
        <translation>保存済みの SMTP パスワードを削除します。</translation>
    </message>
    <message>
        <source>Kept in the system&apos;s secret store, never in the settings file.</source>
        <translation>システムの秘密情報ストアに保存され、設定ファイルには書き込まれません。</translation>
    </message>
    <message>
        <source>Test e-mail to</source>
        <translation>テストメールの宛先</translation>
    </message>
    <message>
        <source>you@example.com</source>
        <translation>you@example.com</translation>
    </message>
    <message>
        <source>Send test e-mail</source>
        <translation>テストメールを送信</translation>
    </message>
    <message>
        <source>A password is stored; type a new one to replace it</source>
        <translation>パスワードは保存済みです。置き換えるには新しいパスワードを入力</translation>
    </message>
    <message>
        <source>No password stored</source>
        <translation>パスワードは保存されていません</translation>
    </message>
</context>
<context>
    <name>StreamForm</name>
    <message>
        <source>Hide</source>
        <translation>隠す</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>Where to find the key: {hint}</source>
        <translation>キーの場所：{hint}</translation>
    </message>
    <message>
        <source>Constant video bitrate. {platform} accepts up to {limit} kb/s.</source>
        <translation>固定ビデオビットレート。{platform} は最大 {limit} kb/s まで受け付けます。</translation>
    </message>
    <message>
        <source>✓ A stream key is saved (hidden).</source>
        <translation>✓ ストリームキーは保存済みです（非表示）。</translation>
    </message>
    <message>
        <source>Saved — type a new key to replace it</source>
        <translation>保存済み — 新しいキーを入力すると置き換えます</translation>
    </message>
    <message>
        <source>No stream key saved.</source>
        <translation>ストリームキーは保存されていません。</translation>
    </message>
    <message>
        <source>Paste your stream key</source>
        <translation>ストリームキーを貼り付けてください</translation>
    </message>
    <message>
        <source>&amp;Platform</source>
        <translation>プラットフォーム(&amp;P)</translation>
    </message>
    <message>
        <source>Se&amp;rver</source>
        <translation>サーバー(&amp;R)</translation>
    </message>
    <message>
        <source>Stream &amp;key</source>
        <translation>ストリームキー(&amp;K)</translation>
    </message>
    <message>
        <source>Si&amp;ze</source>
        <translation>解像度(&amp;Z)</translation>
    </message>
    <message>
        <source>&amp;FPS</source>
        <translation>フレームレート(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Video bitrate</source>
        <translation>映像ビットレート(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Audio bitrate</source>
        <translation>音声ビットレート(&amp;A)</translation>
    </message>
    <message>
        <source>Recording f&amp;ormat</source>
        <translation>録画形式(&amp;O)</translation>
    </message>
    <message>
        <source>Custom RTMP server</source>
        <translation>カスタム RTMP サーバー</translation>
    </message>
    <message>
        <source>The RTMP or RTMPS ingest address of your platform, without the stream key.</source>
        <translation>プラットフォームの RTMP / RTMPS 配信先アドレス（ストリームキーは含めない）。</translation>
    </message>
    <message>
        <source>Kept in the system keyring (or an encrypted file), never in the config file or logs.</source>
        <translation>システムのキーリング（または暗号化ファイル）に保存され、設定ファイルやログには書かれません。</translation>
    </message>
    <message>
        <source>Show or hide what you typed (a saved key is never shown).</source>
        <translation>入力した内容を表示／非表示にします（保存済みのキーは表示されません）。</translation>
    </message>
    <message>
        <source>Save key</source>
        <translation>キーを保存</translation>
    </message>
    <message>
        <source>Forget key</source>
        <translation>キーを削除</translation>
    </message>
    <message>
        <source>Record whenever I go live</source>
        <translation>配信中は常に録画する</translation>
    </message>
</context>
<context>
    <name>StreamOutputsEditor</name>
    <message>
        <source>More outputs (same picture and sound, e.g. Bilibili + YouTube):</source>
        <translation>追加の出力先（同じ映像と音声。例：ビリビリ + YouTube）：</translation>
    </message>
    <message>
        <source>Add output</source>
        <translation>出力先を追加</translation>
    </message>
</context>
<context>
    <name>StreamPanel</name>
    <message>
        <source>Invalid stream setting {key}: {message}</source>
        <translation>配信設定 {key} が無効です：{message}</translation>
    </message>
    <message>
        <source>The stream key must not contain spaces.</source>
        <translation>ストリームキーに空白を含めることはできません。</translation>
    </message>
    <message>
        <source>Choose a platform or enter the RTMP server URL before going live.</source>
        <translation>配信を始める前に、プラットフォームを選ぶか RTMP サーバーの URL を入力してください。</translation>
    </message>
    <message>
        <source>Stop stream</source>
        <translation>配信停止</translation>
    </message>
    <message>
        <source>Go live</source>
        <translation>配信開始</translation>
    </message>
    <message>
        <source>Stop recording</source>
        <translation>録画停止</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>録画</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>開始しています…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>停止しています…</translation>
    </message>
    <message>
        <source>Recording to {path}</source>
        <translation>{path} に録画中</translation>
    </message>
    <message>
        <source>Stream to the server above (and the extra outputs) with the saved key.</source>
        <translation>保存したキーで上のサーバー（と追加の出力先）へ配信します。</translation>
    </message>
    <message>
        <source>Record the stream picture and sound to a file.</source>
        <translation>配信の映像と音声をファイルに録画します。</translation>
    </message>
</context>
<context>
    <name>StreamPreview</name>
    <message>
        <source>The avatar is drawn by the broadcast now; its picture appears here.</source>
        <translation>アバターは現在配信側で描画されています。その映像がここに表示されます。</translation>
    </message>
</context>
<context>
    <name>StreamStatsView</name>
    <message>
        <source>Idle</source>
        <translation>待機中</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>接続中</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>配信中</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>再接続中</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>録画</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>配信</translation>
    </message>
    <message>
        <source>Reconnecting… ({seconds:.0f} s offline)</source>
        <translation>再接続中…（{seconds:.0f} 秒切断）</translation>
    </message>
    <message>
        <source>Nothing is running.</source>
        <translation>配信も録画も行っていません。</translation>
    </message>
    <message>
        <source>{kbps:.0f} kb/s</source>
        <translation>{kbps:.0f} kb/s</translation>
    </message>
    <message>
        <source>{ms:.0f} ms</source>
        <translation>{ms:.0f} ms</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>出力先</translation>
    </message>
    <message>
        <source>FPS</source>
        <translation>FPS</translation>
    </message>
    <message>
        <source>Bitrate</source>
        <translation>ビットレート</translation>
    </message>
    <message>
        <source>Dropped (network)</source>
        <translation>ドロップ（ネットワーク）</translation>
    </message>
    <message>
        <source>Skipped (encoder)</source>
        <translation>スキップ（エンコーダー）</translation>
    </message>
    <message>
        <source>Missed (render)</source>
        <translation>欠落（レンダリング）</translation>
    </message>
    <message>
        <source>Congestion</source>
        <translation>輻輳</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>経過時間</translation>
    </message>
    <message>
        <source>Data sent</source>
        <translation>送信データ量</translation>
    </message>
    <message>
        <source>A/V drift</source>
        <translation>音ズレ</translation>
    </message>
    <message>
        <source>Frames the network could not carry (congestion or a lost connection).</source>
        <translation>ネットワークで送れなかったフレーム（輻輳または接続断）。</translation>
    </message>
    <message>
        <source>Frames thrown away because the encoder fell behind (CPU too slow).</source>
        <translation>エンコーダーが追いつかず捨てたフレーム（CPU 不足）。</translation>
    </message>
    <message>
        <source>Frame slots the avatar renderer delivered nothing for (render lag).</source>
        <translation>アバターの描画が間に合わなかったフレーム枠（描画遅延）。</translation>
    </message>
    <message>
        <source>How full the send queue is; at 100% frames are dropped.</source>
        <translation>送信キューの使用率。100% になるとフレームがドロップされます。</translation>
    </message>
    <message>
        <source>Largest offset between sound and picture so far; at most half a frame is normal.</source>
        <translation>これまでの音と映像の最大のずれ。半フレーム以内なら正常です。</translation>
    </message>
</context>
<context>
    <name>StudioStatusBar</name>
    <message>
        <source>Starting</source>
        <translation>起動中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>実行中</translation>
    </message>
    <message>
        <source>Stopping</source>
        <translation>停止中</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>接続中</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>配信中</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>再接続中</translation>
    </message>
    <message>
        <source>Engine: {state}</source>
        <translation>エンジン：{state}</translation>
    </message>
    <message>
        <source>API: {url}</source>
        <translation>API：{url}</translation>
    </message>
    <message>
        <source>API failed: {reason}</source>
        <translation>API エラー：{reason}</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>不明なエラー</translation>
    </message>
    <message>
        <source>API off</source>
        <translation>API オフ</translation>
    </message>
</context>
<context>
    <name>TokenShownDialog</name>
    <message>
        <source>Plugin token {name}</source>
        <translation>プラグイントークン {name}</translation>
    </message>
    <message>
        <source>Copy this token now and keep it safe: it is shown only this once. The studio stores only a hash of it and cannot show it again.</source>
        <translation>このトークンを今すぐコピーし、安全に保管してください。表示されるのはこの一度だけです。スタジオはハッシュしか保存しないため、再表示できません。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>コピーしました</translation>
    </message>
</context>
<context>
    <name>TokensBox</name>
    <message>
        <source>never</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>Revoke token</source>
        <translation>トークンを無効化</translation>
    </message>
    <message>
        <source>Revoke the token {name}? Plugins using it lose access at once.</source>
        <translation>トークン {name} を無効化しますか？ 使用中のプラグインはすぐにアクセスできなくなります。</translation>
    </message>
    <message>
        <source>Plugin API tokens</source>
        <translation>プラグイン API トークン</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>作成日時</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>最終使用</translation>
    </message>
    <message>
        <source>Create...</source>
        <translation>作成…</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>無効化</translation>
    </message>
    <message>
        <source>Long-lived tokens for plugins and scripts: send as &apos;Authorization: Bearer &lt;token&gt;&apos;.</source>
        <translation>プラグインやスクリプト用の長期トークン：「Authorization: Bearer &lt;トークン&gt;」として送信します。</translation>
    </message>
</context>
<context>
    <name>UsersBox</name>
    <message>
        <source>yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <source>Remove user</source>
        <translation>ユーザーを削除</translation>
    </message>
    <message>
        <source>Remove the user {name} and their plugin tokens?</source>
        <translation>ユーザー {name} とそのプラグイントークンを削除しますか？</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>管理者</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>確認済み</translation>
    </message>
    <message>
        <source>Add user...</source>
        <translation>ユーザーを追加…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Toggle admin</source>
        <translation>管理者の切り替え</translation>
    </message>
</context>
<context>
    <name>VoiceCombo</name>
    <message>
        <source>Automatic (by language)</source>
        <translation>自動（言語別）</translation>
    </message>
    <message>
        <source>The default voice of each language in the text.</source>
        <translation>テキスト中の言語ごとに既定の声を使います。</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中国語</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英語</translation>
    </message>
    <message>
        <source>Japanese</source>
        <translation>日本語</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>その他</translation>
    </message>
    <message>
        <source>{name}
Voice id: {id}
Licence: {licence}</source>
        <translation>{name}
声の ID：{id}
ライセンス：{licence}</translation>
    </message>
    <message>
        <source>not stated</source>
        <translation>記載なし</translation>
    </message>
    <message>
        <source>Needs a network service.</source>
        <translation>ネットワークサービスが必要です。</translation>
    </message>
    <message>
        <source>{voice} (not available)</source>
        <translation>{voice}（利用不可）</translation>
    </message>
</context>
<context>
    <name>VoiceLibrarySession</name>
    <message>
        <source>The engine is not running.</source>
        <translation>エンジンが動作していません。</translation>
    </message>
</context>
<context>
    <name>VoiceModelsPage</name>
    <message>
        <source>Choose a GPT-SoVITS folder (with GPT_weights… and SoVITS_weights…)</source>
        <translation>GPT-SoVITS フォルダーを選択（GPT_weights… と SoVITS_weights… を含む）</translation>
    </message>
    <message>
        <source>Choose a VoxCPM model folder</source>
        <translation>VoxCPM モデルフォルダーを選択</translation>
    </message>
    <message>
        <source>Remove GPT-SoVITS voice</source>
        <translation>GPT-SoVITS 音声を削除</translation>
    </message>
    <message>
        <source>Remove the GPT-SoVITS weights of {name} (GPT and SoVITS files)?</source>
        <translation>{name} の GPT-SoVITS 重み（GPT と SoVITS のファイル）を削除しますか？</translation>
    </message>
    <message>
        <source>Remove the VoxCPM model {name} and its files?</source>
        <translation>VoxCPM モデル {name} とそのファイルを削除しますか？</translation>
    </message>
    <message>
        <source>It is in use: VoxCPM will be switched off.</source>
        <translation>使用中です：VoxCPM はオフになります。</translation>
    </message>
    <message>
        <source>Remove VoxCPM model</source>
        <translation>VoxCPM モデルを削除</translation>
    </message>
    <message>
        <source>{suffix} models</source>
        <translation>{suffix} モデル</translation>
    </message>
    <message>
        <source>Default models</source>
        <translation>デフォルトモデル</translation>
    </message>
    <message>
        <source>(shared 参考音频.wav)</source>
        <translation>（共通の 参考音频.wav）</translation>
    </message>
    <message>
        <source>In use, loaded on {device}</source>
        <translation>使用中、{device} に読み込み済み</translation>
    </message>
    <message>
        <source>In use (loads when it first speaks)</source>
        <translation>使用中（最初に話すときに読み込み）</translation>
    </message>
    <message>
        <source>These voices run through the GPT-SoVITS server at {url}.</source>
        <translation>これらの音声は {url} の GPT-SoVITS サーバーで合成されます。</translation>
    </message>
    <message>
        <source>No GPT-SoVITS server configured: set one in Settings → Voice; until then the studio&apos;s own voice answers.</source>
        <translation>GPT-SoVITS サーバーが未設定です：設定 → 音声 で設定してください。それまではスタジオ内蔵の音声が答えます。</translation>
    </message>
    <message>
        <source>VoxCPM runs on this computer: {name} is loaded on {device}.</source>
        <translation>VoxCPM はこのコンピューターで動作します：{name} を {device} に読み込み済み。</translation>
    </message>
    <message>
        <source>VoxCPM runs on this computer ({device}) with {name}; it loads when it first speaks.</source>
        <translation>VoxCPM はこのコンピューター（{device}）で {name} を使います。最初に話すときに読み込みます。</translation>
    </message>
    <message>
        <source>VoxCPM runs on this computer; no model is in use.</source>
        <translation>VoxCPM はこのコンピューターで動作します。使用中のモデルはありません。</translation>
    </message>
    <message>
        <source>GPT-SoVITS weights</source>
        <translation>GPT-SoVITS 重み</translation>
    </message>
    <message>
        <source>VoxCPM model</source>
        <translation>VoxCPM モデル</translation>
    </message>
    <message>
        <source>Importing the {what}…</source>
        <translation>{what}をインポート中…</translation>
    </message>
    <message>
        <source>Imported {what}.</source>
        <translation>{what}をインポートしました。</translation>
    </message>
    <message>
        <source>Removed {what}.</source>
        <translation>{what}を削除しました。</translation>
    </message>
    <message>
        <source>Failed: {why}</source>
        <translation>失敗：{why}</translation>
    </message>
    <message>
        <source>GPT-SoVITS voices</source>
        <translation>GPT-SoVITS 音声</translation>
    </message>
    <message>
        <source>VoxCPM models</source>
        <translation>VoxCPM モデル</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>音声</translation>
    </message>
    <message>
        <source>GPT weights</source>
        <translation>GPT 重み</translation>
    </message>
    <message>
        <source>SoVITS weights</source>
        <translation>SoVITS 重み</translation>
    </message>
    <message>
        <source>Reference audio</source>
        <translation>参照音声</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>種類</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Import GPT-SoVITS folder…</source>
        <translation>GPT-SoVITS フォルダーをインポート…</translation>
    </message>
    <message>
        <source>A folder with GPT_weights…/*.ckpt, SoVITS_weights…/*.pth and optionally 参考音频/.</source>
        <translation>GPT_weights…/*.ckpt、SoVITS_weights…/*.pth（任意で 参考音频/）を含むフォルダー。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Import VoxCPM model…</source>
        <translation>VoxCPM モデルをインポート…</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <source>Speak with this VoxCPM model (voice id voxcpm:&lt;name&gt;).</source>
        <translation>この VoxCPM モデルで話します（音声 ID voxcpm:&lt;名前&gt;）。</translation>
    </message>
    <message>
        <source>Stop using VoxCPM</source>
        <translation>VoxCPM の使用をやめる</translation>
    </message>
</context>
<context>
    <name>VoicePanel</name>
    <message>
        <source>{value} semitones</source>
        <translation>{value} 半音</translation>
    </message>
    <message>
        <source>The saved voice {voice} is not available. Pick another voice.</source>
        <translation>保存された声 {voice} は利用できません。別の声を選んでください。</translation>
    </message>
    <message>
        <source>Preparing the voices…</source>
        <translation>声を準備しています…</translation>
    </message>
    <message>
        <source>Speaking…</source>
        <translation>読み上げ中…</translation>
    </message>
    <message>
        <source>Finished speaking.</source>
        <translation>読み上げが終わりました。</translation>
    </message>
    <message>
        <source>Interrupted.</source>
        <translation>中断しました。</translation>
    </message>
    <message>
        <source>Could not speak: {detail}</source>
        <translation>読み上げできません：{detail}</translation>
    </message>
    <message>
        <source>The engine is not running.</source>
        <translation>エンジンが動いていません。</translation>
    </message>
    <message>
        <source>Type something to say first.</source>
        <translation>先に話す内容を入力してください。</translation>
    </message>
    <message>
        <source>Unavailable voice engines: {reasons}</source>
        <translation>利用できない音声エンジン：{reasons}</translation>
    </message>
    <message>
        <source>Audio output: starts when the avatar first speaks.</source>
        <translation>音声出力：アバターが初めて話すときに開始します。</translation>
    </message>
    <message>
        <source>Playing on {device}</source>
        <translation>{device} で再生中</translation>
    </message>
    <message>
        <source>Audio device lost: {device}; playing silently</source>
        <translation>オーディオデバイスが切断されました：{device}。無音で再生中</translation>
    </message>
    <message>
        <source>Audio output is off; playing silently</source>
        <translation>音声出力はオフです。無音で再生中</translation>
    </message>
    <message>
        <source>Audio output stopped</source>
        <translation>音声出力は停止しています</translation>
    </message>
    <message>
        <source>No audio output device; playing silently</source>
        <translation>音声出力デバイスがありません。無音で再生中</translation>
    </message>
    <message>
        <source>Audio device not found: {device}; playing silently</source>
        <translation>オーディオデバイスが見つかりません：{device}。無音で再生中</translation>
    </message>
    <message>
        <source>Cannot open {device}; playing silently</source>
        <translation>{device} を開けません。無音で再生中</translation>
    </message>
    <message>
        <source>The sound system (PortAudio) is not available; playing silently</source>
        <translation>サウンドシステム（PortAudio）が使えません。無音で再生中</translation>
    </message>
    <message>
        <source>&amp;Voice</source>
        <translation>声(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Clone speaker</source>
        <translation>クローン話者(&amp;C)</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速さ</translation>
    </message>
    <message>
        <source>Pitch</source>
        <translation>高さ</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>&amp;Output</source>
        <translation>出力(&amp;O)</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>レベル</translation>
    </message>
    <message>
        <source>Type what the avatar should say (Ctrl+Enter speaks).</source>
        <translation>アバターに話させる内容を入力（Ctrl+Enter で読み上げ）。</translation>
    </message>
    <message>
        <source>Speak</source>
        <translation>読み上げ</translation>
    </message>
    <message>
        <source>Speak the text with the chosen voice (Ctrl+Enter).</source>
        <translation>選んだ声でテキストを読み上げます（Ctrl+Enter）。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop speaking at once.</source>
        <translation>読み上げをすぐに止めます。</translation>
    </message>
    <message>
        <source>Where the avatar&apos;s voice is played. Saved and applied at once.</source>
        <translation>アバターの声を再生する出力先。変更はすぐに保存・適用されます。</translation>
    </message>
    <message>
        <source>Speaker level: bar = loudness (RMS), light bar and tick = peak.</source>
        <translation>スピーカーのレベル：濃いバー = 音の大きさ（RMS）、薄いバーと目盛り = ピーク。</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>音声</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Speakers</source>
        <translation>話者</translation>
    </message>
</context>
<context>
    <name>VoiceSession</name>
    <message>
        <source>The engine is not running, so nothing can be spoken.</source>
        <translation>エンジンが動いていないため、読み上げできません。</translation>
    </message>
</context>
<context>
    <name>VoiceSpeakersPage</name>
    <message>
        <source>Choose a reference recording</source>
        <translation>参照録音を選択</translation>
    </message>
    <message>
        <source>Audio files (*.wav *.flac *.ogg *.mp3)</source>
        <translation>音声ファイル (*.wav *.flac *.ogg *.mp3)</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>録音</translation>
    </message>
    <message>
        <source>Remove speaker</source>
        <translation>話者を削除</translation>
    </message>
    <message>
        <source>Remove the speaker {name} and its recording?</source>
        <translation>話者 {name} とその録音を削除しますか？</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <source>Id: {id}
File: {file}</source>
        <translation>ID：{id}
ファイル：{file}</translation>
    </message>
    <message>
        <source>{seconds} / {limit} s</source>
        <translation>{seconds} / {limit} 秒</translation>
    </message>
    <message>
        <source>Stop and save</source>
        <translation>停止して保存</translation>
    </message>
    <message>
        <source>Record from microphone</source>
        <translation>マイクで録音</translation>
    </message>
    <message>
        <source>Record a reference with {device} (up to 30 s; click again to stop).</source>
        <translation>{device} で参照音声を録音します（最大 30 秒、もう一度クリックで停止）。</translation>
    </message>
    <message>
        <source>Looking for a microphone…</source>
        <translation>マイクを探しています…</translation>
    </message>
    <message>
        <source>The engine is not running.</source>
        <translation>エンジンが動作していません。</translation>
    </message>
    <message>
        <source>No microphone found: connect one (Settings → Audio chooses it).</source>
        <translation>マイクが見つかりません：接続してください（設定 → オーディオ で選択）。</translation>
    </message>
    <message>
        <source>The microphone {device} is not connected.</source>
        <translation>マイク {device} が接続されていません。</translation>
    </message>
    <message>
        <source>The sound system (PortAudio) is not available: {detail}</source>
        <translation>サウンドシステム（PortAudio）が使えません：{detail}</translation>
    </message>
    <message>
        <source>Adding {name}: trimming, normalising and transcribing…</source>
        <translation>{name} を追加中：トリミング、音量の正規化、文字起こし…</translation>
    </message>
    <message>
        <source>Recording {name}… speak now, then click Stop and save.</source>
        <translation>{name} を録音中… 話してから「停止して保存」をクリックしてください。</translation>
    </message>
    <message>
        <source>Added {name}. Check the transcript: double-click it to correct it.</source>
        <translation>{name} を追加しました。文字起こしを確認してください：ダブルクリックで修正できます。</translation>
    </message>
    <message>
        <source>Added. {name}</source>
        <translation>追加しました。{name}</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>{name} を保存しました。</translation>
    </message>
    <message>
        <source>Removed.</source>
        <translation>削除しました。</translation>
    </message>
    <message>
        <source>Failed: {name}</source>
        <translation>失敗：{name}</translation>
    </message>
    <message>
        <source>Name of the new speaker (default: the file name)</source>
        <translation>新しい話者の名前（既定：ファイル名）</translation>
    </message>
    <message>
        <source>Add from file…</source>
        <translation>ファイルから追加…</translation>
    </message>
    <message>
        <source>A clean recording of one voice, 3-10 s is best (WAV, FLAC, OGG or MP3).</source>
        <translation>一人の声のきれいな録音。3〜10 秒が最適です（WAV、FLAC、OGG、MP3）。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>長さ</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>Transcript</source>
        <translation>文字起こし</translation>
    </message>
    <message>
        <source>Microphone level while recording.</source>
        <translation>録音中のマイク音量。</translation>
    </message>
</context>
</TS>
