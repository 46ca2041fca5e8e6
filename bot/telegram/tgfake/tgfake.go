// Package tgfake is a fake Telegram Bot API server for tests.
//
// It speaks the real wire protocol: every method is POST /bot{token}/{method} with a
// multipart/form-data, application/x-www-form-urlencoded or application/json body (the
// query string is read too), and every answer is {"ok":true,"result":...} or
// {"ok":false,"error_code":N,"description":...} with the HTTP status set to N, as Telegram does.
// Files are served at GET /file/bot{token}/{file_path}. The real github.com/go-telegram/bot
// client runs against it unchanged through bot.WithServerURL.
//
// The server keeps the state a desk test can observe: the messages of every chat (so edits,
// replies and "message is not modified" behave as on Telegram), forum topics, registered and
// uploaded files, chat members, the webhook and the queue of updates. Every API call is
// recorded as a Call. Tests inject updates with Push (long polling) or PostWebhook, and
// failures with FailNext, FailNextHTML and BlockUser.
//
// Where Telegram validates a request in a way that catches real mistakes, the fake does too:
// parse_mode HTML is parsed with Telegram's rules (an unescaped "<" fails with "can't parse
// entities"), texts over 4096 and captions over 1024 UTF-16 code units are rejected, callback
// data over 64 bytes is rejected, a reply to a missing message fails unless
// allow_sending_without_reply is set, the bot cannot edit messages it did not send,
// editMessageText without reply_markup removes the inline keyboard, a callback query is
// answered once (at most 200 characters; a second answer, or one after ExpireCallback, is
// "query is too old"), and setMyCommands checks its commands, scope and language code
// and keeps a list per scope and language (Commands, getMyCommands). A media group holds
// 2 to 10 items, documents only with documents, and its uploads are the parts its
// "attach://name" media name; a location must lie on the globe. MarkdownV2 and Markdown
// texts are accepted without validation and returned as sent.
//
// All methods are safe for concurrent use.
package tgfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // PhotoSize dimensions of uploaded GIFs.
	_ "image/jpeg" // PhotoSize dimensions of uploaded JPEGs.
	_ "image/png"  // PhotoSize dimensions of uploaded PNGs.
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// Limits Telegram enforces and the fake enforces too.
const (
	maxTextLength     = 4096     // UTF-16 code units of a message text after entity parsing.
	maxCaptionLength  = 1024     // UTF-16 code units of a media caption after entity parsing.
	maxCallbackData   = 64       // bytes of an inline button's callback_data.
	maxDownloadSize   = 20 << 20 // bytes getFile agrees to serve on the cloud Bot API.
	maxRequestSize    = 64 << 20 // bytes of one request body.
	maxUpdatesPerPoll = 100      // the largest and default getUpdates limit.
)

// Error descriptions copied from Telegram's answers.
const (
	descUnauthorized   = "Unauthorized"
	descNotFound       = "Not Found"
	descBlocked        = "Forbidden: bot was blocked by the user"
	descNotModified    = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	descChatNotFound   = "Bad Request: chat not found"
	descChatIDEmpty    = "Bad Request: chat_id is empty"
	descTextEmpty      = "Bad Request: message text is empty"
	descTextTooLong    = "Bad Request: message is too long"
	descCaptionTooLong = "Bad Request: message caption is too long"
	descEditNotFound   = "Bad Request: message to edit not found"
	descReplyNotFound  = "Bad Request: message to be replied not found"
	descWebhookActive  = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	descTerminated     = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

// Call is one API request the server received.
//
// Fields holds every text field exactly as it arrived on the wire: numbers and booleans as
// their text ("77", "true"), objects and arrays as JSON ("reply_markup", "allowed_updates").
// Files holds the contents of multipart file parts by field name, and FileNames their file
// names. The maps are shared between copies of a Call and must not be modified.
type Call struct {
	// Method is the canonical method name, such as "sendMessage", whatever case the client used.
	Method    string
	Fields    map[string]string
	Files     map[string][]byte
	FileNames map[string]string
	// At is when the server answered the call.
	At time.Time
	// ErrorCode is the error_code of the answer, or 0 when the call succeeded.
	ErrorCode int
	// MessageID is the message_id of the Message the call returned, or 0 when it returned none.
	MessageID int
}

// ChatID returns the chat_id field as a number, or 0 when it is absent or not numeric.
func (c Call) ChatID() int64 {
	id, _ := strconv.ParseInt(c.Fields["chat_id"], 10, 64)
	return id
}

// Text returns the text field, or the caption field when the call has no text.
func (c Call) Text() string {
	if t, ok := c.Fields["text"]; ok {
		return t
	}
	return c.Fields["caption"]
}

// ThreadID returns the message_thread_id field, or 0 when it is absent.
func (c Call) ThreadID() int {
	id, _ := strconv.Atoi(c.Fields["message_thread_id"])
	return id
}

// ReplyTo returns the message_id of reply_parameters (or of the older reply_to_message_id),
// or 0 when the call replies to nothing.
func (c Call) ReplyTo() int {
	if raw, ok := c.Fields["reply_parameters"]; ok {
		var p struct {
			MessageID int `json:"message_id"`
		}
		if json.Unmarshal([]byte(raw), &p) == nil {
			return p.MessageID
		}
	}
	id, _ := strconv.Atoi(c.Fields["reply_to_message_id"])
	return id
}

// Keyboard returns the rows of buttons of reply_markup when it is an inline keyboard, and nil
// when the call has no reply_markup or another kind of markup.
func (c Call) Keyboard() [][]models.InlineKeyboardButton {
	kb, _ := parseInlineKeyboard(c.Fields["reply_markup"])
	if kb == nil {
		return nil
	}
	return kb.InlineKeyboard
}

// Server is a running fake Bot API server. Create it with New and stop it with Close.
type Server struct {
	srv       *httptest.Server
	token     string
	closed    chan struct{}
	closeOnce sync.Once

	mu             sync.Mutex
	me             models.User
	calls          []Call
	callsChanged   chan struct{} // closed and replaced whenever a call is recorded
	updates        []queuedUpdate
	updatesChanged chan struct{} // closed and replaced whenever an update is queued
	nextUpdateID   int64
	allowed        []string      // the allowed_updates setting; nil means Telegram's default
	poller         chan struct{} // closed to terminate the waiting getUpdates request
	messages       map[int64]map[int]models.Message
	lastMessageID  map[int64]int
	topics         map[int64]map[int]string
	files          map[string]fileEntry
	fileIDByPath   map[string]string
	uploads        int
	members        map[memberKey]string
	outside        map[memberKey]bool // restricted users no longer in the chat
	forums         map[int64]bool
	blocked        map[int64]bool
	failures       map[string][]failure // by lower-case method name
	webhook        webhookState
	answers        map[string]PressAnswer              // answered callback queries, by ID
	expired        map[string]bool                     // callback queries too old to answer
	commands       map[commandsKey][]models.BotCommand // setMyCommands, by scope and language
}

type queuedUpdate struct {
	id   int64
	kind string // the update's field name, such as "message" or "callback_query"
	raw  json.RawMessage
}

type fileEntry struct {
	file models.File
	data []byte
}

type memberKey struct{ chatID, userID int64 }

type failure struct {
	code       int
	desc       string
	retryAfter int
	html       bool
}

type webhookState struct {
	url            string
	secret         string
	maxConnections int
}

// New starts a fake Bot API server that accepts requests for token. getMe answers with a bot
// whose ID is the number before the colon in token (1 when there is none), first name "Aduan"
// and username "AduanBot"; SetMe changes it.
func New(token string) *Server {
	id, err := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if err != nil || id <= 0 {
		id = 1
	}
	s := &Server{
		token:          token,
		closed:         make(chan struct{}),
		me:             models.User{ID: id, IsBot: true, FirstName: "Aduan", Username: "AduanBot"},
		callsChanged:   make(chan struct{}),
		updatesChanged: make(chan struct{}),
		nextUpdateID:   1,
		messages:       make(map[int64]map[int]models.Message),
		lastMessageID:  make(map[int64]int),
		topics:         make(map[int64]map[int]string),
		files:          make(map[string]fileEntry),
		fileIDByPath:   make(map[string]string),
		members:        make(map[memberKey]string),
		outside:        make(map[memberKey]bool),
		forums:         make(map[int64]bool),
		blocked:        make(map[int64]bool),
		failures:       make(map[string][]failure),
		answers:        make(map[string]PressAnswer),
		expired:        make(map[string]bool),
		commands:       make(map[commandsKey][]models.BotCommand),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL returns the base URL to pass to bot.WithServerURL, such as "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.srv.URL }

// Close ends every waiting getUpdates request with an empty result and shuts the server down.
// It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.srv.Close()
	})
}

// SetMe replaces the user getMe returns and messages the bot sends carry in "from".
func (s *Server) SetMe(u models.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.me = u
}

// Me returns the user getMe returns.
func (s *Server) Me() models.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.me
}

// AddFile registers a file that getFile reports with file_path path and that
// GET /file/bot{token}/{path} serves. A later call with the same fileID replaces it.
func (s *Server) AddFile(fileID, path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addFileLocked(fileID, path, data)
}

func (s *Server) addFileLocked(fileID, path string, data []byte) models.File {
	if old, ok := s.files[fileID]; ok {
		delete(s.fileIDByPath, old.file.FilePath)
	}
	f := models.File{
		FileID:       fileID,
		FileUniqueID: "u-" + fileID,
		FileSize:     int64(len(data)),
		FilePath:     path,
	}
	s.files[fileID] = fileEntry{file: f, data: bytes.Clone(data)}
	s.fileIDByPath[path] = fileID
	return f
}

// SetMember makes getChatMember report status for userID in chatID. status is one of
// Telegram's: "creator", "administrator", "member", "restricted", "left" or "kicked";
// an administrator has every right. Users never set are "left".
func (s *Server) SetMember(chatID, userID int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members[memberKey{chatID, userID}] = status
	delete(s.outside, memberKey{chatID, userID})
}

// SetRestricted makes getChatMember report userID in chatID as "restricted": still a
// member of the chat (is_member true) or, when isMember is false, a restricted user who
// is not in it any more.
func (s *Server) SetRestricted(chatID, userID int64, isMember bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := memberKey{chatID, userID}
	s.members[key] = string(models.ChatMemberTypeRestricted)
	if isMember {
		delete(s.outside, key)
	} else {
		s.outside[key] = true
	}
}

// SetForum makes chatID a forum supergroup (getChat reports is_forum).
func (s *Server) SetForum(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forums[chatID] = true
}

// BlockUser makes every sendMessage, sendPhoto, sendDocument, sendChatAction and message edit
// in chatID fail with 403 "Forbidden: bot was blocked by the user" until UnblockUser.
func (s *Server) BlockUser(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// UnblockUser undoes BlockUser.
func (s *Server) UnblockUser(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

// FailNext makes the next call of method (any case) fail with the HTTP status and error_code
// code and the given description, plus "parameters":{"retry_after":retryAfter} when retryAfter
// is positive. Failures queued for one method are used in order, one per call, before the
// method does anything else.
func (s *Server) FailNext(method string, code int, description string, retryAfter int) {
	s.addFailure(method, failure{code: code, desc: description, retryAfter: retryAfter})
}

// FailNextHTML makes the next call of method answer with HTTP status and an HTML page instead
// of JSON, as a proxy in front of Telegram does on 502. It shares FailNext's queue.
func (s *Server) FailNextHTML(method string, status int) {
	s.addFailure(method, failure{code: status, html: true})
}

func (s *Server) addFailure(method string, f failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	s.failures[key] = append(s.failures[key], f)
}

// Message returns the current state of a message in a chat, after any edits, and whether it
// exists. It knows the messages the bot sent and those delivered by Push and PostWebhook.
func (s *Server) Message(chatID int64, messageID int) (models.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[chatID][messageID]
	return m, ok
}

// Calls returns the recorded calls in the order they were answered: all of them, or only those
// of the given methods (any case).
func (s *Server) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(methods...)
}

func (s *Server) callsLocked(methods ...string) []Call {
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || slices.ContainsFunc(methods, func(m string) bool { return strings.EqualFold(m, c.Method) }) {
			out = append(out, c)
		}
	}
	return out
}

// Sent returns the successful sendMessage, sendPhoto, sendDocument, sendMediaGroup and
// sendLocation calls to chatID, in order: what the user in that chat actually received.
// Failed attempts are in Calls.
func (s *Server) Sent(chatID int64) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		switch c.Method {
		case "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendLocation":
			if c.ErrorCode == 0 && c.ChatID() == chatID {
				out = append(out, c)
			}
		}
	}
	return out
}

// WaitCalls waits until at least n calls of method have been answered and returns all calls of
// that method. When ctx ends first it returns the calls so far and an error wrapping ctx.Err().
// A getUpdates call counts once it is answered, which for a long poll is when it returns.
func (s *Server) WaitCalls(ctx context.Context, n int, method string) ([]Call, error) {
	for {
		s.mu.Lock()
		calls := s.callsLocked(method)
		changed := s.callsChanged
		s.mu.Unlock()
		if len(calls) >= n {
			return calls, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return calls, fmt.Errorf("tgfake: wait for %d %s calls, have %d: %w", n, method, len(calls), ctx.Err())
		}
	}
}

// Reset forgets every recorded call. Messages, files, members, blocks, queued updates and
// queued failures are kept.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Pending returns how many updates are queued and not yet confirmed by a getUpdates offset.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Push queues upd for getUpdates and returns it as queued. Before queueing it fills in what
// Telegram would: update_id (the next one, when 0), the message_id of a new message (the next
// one in its chat, when 0) and its date (now, when 0). A replied-to message and a callback
// query's message are replaced by the server's copy when it knows that message, so they carry
// the real text, sender and keyboard. A message is then remembered like one the bot sent.
//
// An update of a type the current allowed_updates excludes is dropped when getUpdates reaches
// it, as Telegram would never have created it.
func (s *Server) Push(upd models.Update) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, out := s.prepareLocked(upd)
	s.updates = append(s.updates, q)
	close(s.updatesChanged)
	s.updatesChanged = make(chan struct{})
	return out
}

// PushRaw queues an update exactly as the JSON raw gives it, with the next update_id when
// raw has none (or 0), and returns that ID. It is for what Telegram passes on and
// models.Update cannot carry through Go's encoder: an escaped U+0000 or a lone surrogate
// (\ud800) in a text, a field of an unexpected type. raw must be a JSON object.
func (s *Server) PushRaw(raw []byte) (int64, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return 0, fmt.Errorf("tgfake: push raw update: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var id int64
	_ = json.Unmarshal(fields["update_id"], &id)
	if id == 0 {
		id = s.nextUpdateID
		fields["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
		out, err := json.Marshal(fields) // RawMessage values are kept byte for byte
		if err != nil {
			return 0, fmt.Errorf("tgfake: push raw update: %w", err)
		}
		raw = out
	}
	s.nextUpdateID = max(s.nextUpdateID, id+1)
	s.updates = append(s.updates, queuedUpdate{id: id, kind: updateKind(raw), raw: bytes.Clone(raw)})
	close(s.updatesChanged)
	s.updatesChanged = make(chan struct{})
	return id, nil
}

var webhookClient = &http.Client{Timeout: time.Minute}

// PostWebhook delivers upd to a webhook as Telegram does: a POST of the update JSON to url with
// Content-Type application/json and, when secret is not empty, the header
// X-Telegram-Bot-Api-Secret-Token. The update is completed as by Push but not queued. The
// caller closes the response body.
func (s *Server) PostWebhook(url, secret string, upd models.Update) (*http.Response, error) {
	s.mu.Lock()
	q, _ := s.prepareLocked(upd)
	s.mu.Unlock()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(q.raw))
	if err != nil {
		return nil, fmt.Errorf("tgfake: post webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := webhookClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("tgfake: post webhook: %w", err)
	}
	return resp, nil
}

// prepareLocked completes a deep copy of upd and returns it encoded and decoded.
func (s *Server) prepareLocked(upd models.Update) (queuedUpdate, models.Update) {
	u := copyUpdate(upd)
	if u.ID == 0 {
		u.ID = s.nextUpdateID
	}
	s.nextUpdateID = max(s.nextUpdateID, u.ID+1)

	for _, m := range []*models.Message{u.Message, u.EditedMessage, u.ChannelPost, u.EditedChannelPost, u.BusinessMessage} {
		if m == nil {
			continue
		}
		if m.ID == 0 {
			m.ID = s.nextMessageIDLocked(m.Chat.ID)
		}
		s.lastMessageID[m.Chat.ID] = max(s.lastMessageID[m.Chat.ID], m.ID)
		if m.Date == 0 {
			m.Date = int(time.Now().Unix())
		}
		if r := m.ReplyToMessage; r != nil {
			if stored, ok := s.messages[m.Chat.ID][r.ID]; ok {
				stored.ReplyToMessage = nil
				m.ReplyToMessage = &stored
			}
		}
	}
	for _, m := range []*models.Message{u.Message, u.EditedMessage, u.ChannelPost, u.EditedChannelPost} {
		if m != nil {
			s.storeLocked(*m)
		}
	}

	if cq := u.CallbackQuery; cq != nil {
		if cq.ID == "" {
			cq.ID = nextCallbackID()
		}
		var chatID int64
		var msgID int
		switch {
		case cq.Message.Message != nil:
			chatID, msgID = cq.Message.Message.Chat.ID, cq.Message.Message.ID
		case cq.Message.InaccessibleMessage != nil:
			chatID, msgID = cq.Message.InaccessibleMessage.Chat.ID, cq.Message.InaccessibleMessage.MessageID
		}
		if stored, ok := s.messages[chatID][msgID]; ok {
			cq.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &stored}
		} else if m := cq.Message.Message; m != nil && m.Date == 0 {
			m.Date = int(time.Now().Unix())
		}
	}

	raw, err := json.Marshal(&u)
	if err != nil {
		panic(fmt.Sprintf("tgfake: encode update: %v", err))
	}
	return queuedUpdate{id: u.ID, kind: updateKind(raw), raw: raw}, copyUpdate(u)
}

func copyUpdate(upd models.Update) models.Update {
	raw, err := json.Marshal(&upd)
	if err != nil {
		panic(fmt.Sprintf("tgfake: encode update: %v", err))
	}
	var out models.Update
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(fmt.Sprintf("tgfake: decode update: %v", err))
	}
	return out
}

// updateKind returns the name of the field an encoded update carries besides update_id.
func updateKind(raw []byte) string {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(raw, &fields)
	for k := range fields {
		if k != "update_id" {
			return k
		}
	}
	return ""
}

func (s *Server) nextMessageIDLocked(chatID int64) int {
	s.lastMessageID[chatID]++
	return s.lastMessageID[chatID]
}

func (s *Server) storeLocked(m models.Message) {
	if s.messages[m.Chat.ID] == nil {
		s.messages[m.Chat.ID] = make(map[int]models.Message)
	}
	s.messages[m.Chat.ID][m.ID] = m
}

// chatLocked returns the Chat the server reports for id: private for positive IDs, a
// supergroup (a forum once it has a topic) for negative ones.
func (s *Server) chatLocked(id int64) models.Chat {
	if id > 0 {
		return models.Chat{ID: id, Type: models.ChatTypePrivate, FirstName: "Tester"}
	}
	return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: "Group", IsForum: len(s.topics[id]) > 0}
}

// newMessageLocked returns a message from the bot in chatID with the next message_id.
func (s *Server) newMessageLocked(chatID int64, threadID int) models.Message {
	me := s.me
	m := models.Message{
		ID:              s.nextMessageIDLocked(chatID),
		From:            &me,
		Date:            int(time.Now().Unix()),
		Chat:            s.chatLocked(chatID),
		MessageThreadID: threadID,
	}
	if _, ok := s.topics[chatID][threadID]; ok {
		m.IsTopicMessage = true
	}
	return m
}

// apiError is an unsuccessful answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	html       bool
}

func badRequest(desc string) *apiError { return &apiError{code: http.StatusBadRequest, desc: desc} }

// errClientGone is returned by a handler when the client stopped waiting; nothing is written.
var errClientGone = &apiError{}

// request is a decoded API request.
type request struct {
	ctx       context.Context
	fields    map[string]string
	files     map[string][]byte
	fileNames map[string]string
}

type handler func(s *Server, r *request) (any, *apiError)

// methods maps lower-case method names (Telegram ignores case) to canonical names and handlers.
var methods = map[string]struct {
	name string
	h    handler
}{}

func init() {
	for name, h := range map[string]handler{
		"getMe":                  (*Server).getMe,
		"getUpdates":             (*Server).getUpdates,
		"sendMessage":            (*Server).sendMessage,
		"sendPhoto":              (*Server).sendPhoto,
		"sendDocument":           (*Server).sendDocument,
		"sendMediaGroup":         (*Server).sendMediaGroup,
		"sendLocation":           (*Server).sendLocation,
		"editMessageText":        (*Server).editMessageText,
		"editMessageCaption":     (*Server).editMessageCaption,
		"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
		"deleteMessage":          (*Server).deleteMessage,
		"answerCallbackQuery":    (*Server).answerCallbackQuery,
		"getFile":                (*Server).getFile,
		"createForumTopic":       (*Server).createForumTopic,
		"sendChatAction":         (*Server).sendChatAction,
		"setWebhook":             (*Server).setWebhook,
		"deleteWebhook":          (*Server).deleteWebhook,
		"getWebhookInfo":         (*Server).getWebhookInfo,
		"getChatMember":          (*Server).getChatMember,
		"getChat":                (*Server).getChat,
		"setMyCommands":          (*Server).setMyCommands,
		"getMyCommands":          (*Server).getMyCommands,
		"deleteMyCommands":       (*Server).deleteMyCommands,
	} {
		methods[strings.ToLower(name)] = struct {
			name string
			h    handler
		}{name, h}
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, &apiError{code: http.StatusNotFound, desc: descNotFound})
		return
	}
	method = strings.TrimPrefix(method, "test/")
	name := method
	m, known := methods[strings.ToLower(method)]
	if known {
		name = m.name
	}

	req, err := parseRequest(w, r)
	if err != nil {
		s.answer(w, name, req, nil, badRequest("Bad Request: "+err.Error()))
		return
	}
	if token != s.token {
		s.answer(w, name, req, nil, &apiError{code: http.StatusUnauthorized, desc: descUnauthorized})
		return
	}
	if f, ok := s.popFailure(method); ok {
		s.answer(w, name, req, nil, &apiError{code: f.code, desc: f.desc, retryAfter: f.retryAfter, html: f.html})
		return
	}
	if !known {
		s.answer(w, name, req, nil, &apiError{code: http.StatusNotFound, desc: descNotFound})
		return
	}
	result, aerr := m.h(s, req)
	s.answer(w, name, req, result, aerr)
}

func (s *Server) popFailure(method string) (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	q := s.failures[key]
	if len(q) == 0 {
		return failure{}, false
	}
	s.failures[key] = q[1:]
	return q[0], true
}

// answer records the call and writes the answer.
func (s *Server) answer(w http.ResponseWriter, method string, req *request, result any, aerr *apiError) {
	c := Call{Method: method, Fields: req.fields, Files: req.files, FileNames: req.fileNames, At: time.Now()}
	if aerr != nil && aerr != errClientGone {
		c.ErrorCode = aerr.code
	}
	switch m := result.(type) {
	case models.Message:
		c.MessageID = m.ID
	case []models.Message:
		if len(m) > 0 {
			c.MessageID = m[0].ID
		}
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	close(s.callsChanged)
	s.callsChanged = make(chan struct{})
	s.mu.Unlock()

	switch {
	case aerr == errClientGone:
	case aerr != nil:
		writeError(w, aerr)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
	}
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.html {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(e.code)
		text := http.StatusText(e.code)
		fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n", e.code, text, e.code, text)
		return
	}
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]int{"retry_after": e.retryAfter}
	}
	writeJSON(w, e.code, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error: tgfake cannot encode the result"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// parseRequest reads the query string and a multipart, URL-encoded or JSON body. A multipart
// body that ends before its first part, as the client sends for parameterless methods, is an
// empty request. The returned request is never nil.
func parseRequest(w http.ResponseWriter, r *http.Request) (*request, error) {
	req := &request{ctx: r.Context(), fields: make(map[string]string)}
	for k, v := range r.URL.Query() {
		req.fields[k] = v[0]
	}
	body := http.MaxBytesReader(w, r.Body, maxRequestSize)
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return req, fmt.Errorf("can't parse multipart body: %w", err)
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return req, fmt.Errorf("can't read multipart part %q: %w", p.FormName(), err)
			}
			if p.FileName() != "" {
				if req.files == nil {
					req.files = make(map[string][]byte)
					req.fileNames = make(map[string]string)
				}
				req.files[p.FormName()] = data
				req.fileNames[p.FormName()] = p.FileName()
				continue
			}
			req.fields[p.FormName()] = string(data)
		}
	case "application/x-www-form-urlencoded":
		data, err := io.ReadAll(body)
		if err != nil {
			return req, fmt.Errorf("can't read body: %w", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		if err := r.ParseForm(); err != nil {
			return req, fmt.Errorf("can't parse form body: %w", err)
		}
		for k, v := range r.PostForm {
			req.fields[k] = v[0]
		}
	case "application/json":
		data, err := io.ReadAll(body)
		if err != nil {
			return req, fmt.Errorf("can't read body: %w", err)
		}
		if len(bytes.TrimSpace(data)) == 0 {
			break
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return req, fmt.Errorf("can't parse JSON body: %w", err)
		}
		for k, v := range obj {
			var str string
			switch {
			case string(v) == "null":
			case json.Unmarshal(v, &str) == nil:
				req.fields[k] = str
			default:
				var buf bytes.Buffer
				_ = json.Compact(&buf, v)
				req.fields[k] = buf.String()
			}
		}
	}
	return req, nil
}

func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, filePath, ok := strings.Cut(rest, "/")
	s.mu.Lock()
	entry, found := s.files[s.fileIDByPath[filePath]]
	s.mu.Unlock()
	if !ok || token != s.token || !found || entry.data == nil {
		writeError(w, &apiError{code: http.StatusNotFound, desc: descNotFound})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(entry.data)))
	_, _ = w.Write(entry.data)
}

// Handlers. Each takes s.mu itself.

func (s *Server) getMe(*request) (any, *apiError) {
	return s.Me(), nil
}

// defaultAllowed is the update types Telegram delivers when allowed_updates was never set.
func defaultAllowed(kind string) bool {
	switch kind {
	case "chat_member", "message_reaction", "message_reaction_count":
		return false
	}
	return true
}

func (s *Server) getUpdates(r *request) (any, *apiError) {
	offset, _ := strconv.ParseInt(r.fields["offset"], 10, 64)
	limit, err := strconv.Atoi(r.fields["limit"])
	if err != nil || limit <= 0 || limit > maxUpdatesPerPoll {
		limit = maxUpdatesPerPoll
	}
	timeout, _ := strconv.Atoi(r.fields["timeout"])
	var allowed []string
	allowedSet := false
	if raw, ok := r.fields["allowed_updates"]; ok {
		if err := json.Unmarshal([]byte(raw), &allowed); err != nil {
			return nil, badRequest("Bad Request: can't parse allowed updates")
		}
		allowedSet = true
	}

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: descWebhookActive}
	}
	if s.poller != nil {
		close(s.poller)
		s.poller = nil
	}
	if allowedSet {
		s.allowed = nil
		if len(allowed) > 0 {
			s.allowed = allowed
		}
	}
	s.confirmLocked(offset)

	var mine chan struct{}
	var timer *time.Timer
	release := func() {
		if s.poller == mine {
			s.poller = nil
		}
		if timer != nil {
			timer.Stop()
		}
	}
	for {
		batch := s.batchLocked(limit)
		if len(batch) > 0 || timeout <= 0 {
			release()
			s.mu.Unlock()
			return batch, nil
		}
		if mine == nil {
			mine = make(chan struct{})
			s.poller = mine
			timer = time.NewTimer(time.Duration(timeout) * time.Second)
		}
		changed := s.updatesChanged
		s.mu.Unlock()
		select {
		case <-changed:
			s.mu.Lock()
		case <-mine:
			timer.Stop()
			return nil, &apiError{code: http.StatusConflict, desc: descTerminated}
		case <-timer.C:
			s.mu.Lock()
			release()
			s.mu.Unlock()
			return []json.RawMessage{}, nil
		case <-s.closed:
			s.mu.Lock()
			release()
			s.mu.Unlock()
			return []json.RawMessage{}, nil
		case <-r.ctx.Done():
			s.mu.Lock()
			release()
			s.mu.Unlock()
			return nil, errClientGone
		}
	}
}

// confirmLocked forgets updates as a getUpdates offset does: a positive offset confirms every
// update with a smaller ID, a negative one keeps only the last -offset updates.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		s.updates = slices.DeleteFunc(s.updates, func(q queuedUpdate) bool { return q.id < offset })
	case offset < 0:
		if keep := int(-offset); keep < len(s.updates) {
			s.updates = slices.Delete(s.updates, 0, len(s.updates)-keep)
		}
	}
}

// batchLocked drops queued updates that allowed_updates excludes and returns up to limit of
// the rest, oldest first, without confirming them.
func (s *Server) batchLocked(limit int) []json.RawMessage {
	s.updates = slices.DeleteFunc(s.updates, func(q queuedUpdate) bool {
		if s.allowed == nil {
			return !defaultAllowed(q.kind)
		}
		return !slices.Contains(s.allowed, q.kind)
	})
	var batch []json.RawMessage
	for _, q := range s.updates {
		if len(batch) == limit {
			break
		}
		batch = append(batch, q.raw)
	}
	return batch
}

// chatIDField reads the chat_id field of a request.
func chatIDField(r *request) (int64, *apiError) {
	raw, ok := r.fields["chat_id"]
	if !ok || raw == "" {
		return 0, badRequest(descChatIDEmpty)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest(descChatNotFound)
	}
	return id, nil
}

// sendTarget is what every send method reads before its content.
type sendTarget struct {
	chatID       int64
	threadID     int
	markup       *models.InlineKeyboardMarkup
	replyTo      int
	allowNoReply bool
}

func readSendTarget(r *request) (sendTarget, *apiError) {
	var t sendTarget
	var aerr *apiError
	if t.chatID, aerr = chatIDField(r); aerr != nil {
		return t, aerr
	}
	t.threadID, _ = strconv.Atoi(r.fields["message_thread_id"])
	if t.markup, aerr = markupField(r); aerr != nil {
		return t, aerr
	}
	if raw, ok := r.fields["reply_parameters"]; ok {
		var p struct {
			MessageID                int  `json:"message_id"`
			AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
		}
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return t, badRequest("Bad Request: can't parse reply parameters JSON object")
		}
		t.replyTo, t.allowNoReply = p.MessageID, p.AllowSendingWithoutReply
	} else {
		t.replyTo, _ = strconv.Atoi(r.fields["reply_to_message_id"])
		t.allowNoReply = r.fields["allow_sending_without_reply"] == "true"
	}
	return t, nil
}

// markupField reads reply_markup. It returns the inline keyboard, or nil for none or for a
// reply keyboard, which Telegram does not echo in the sent Message.
func markupField(r *request) (*models.InlineKeyboardMarkup, *apiError) {
	raw, ok := r.fields["reply_markup"]
	if !ok || raw == "" {
		return nil, nil
	}
	kb, err := parseInlineKeyboard(raw)
	if err != nil {
		return nil, badRequest("Bad Request: can't parse reply keyboard markup JSON object")
	}
	if kb == nil {
		return nil, nil
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if len(b.CallbackData) > maxCallbackData {
				return nil, badRequest("Bad Request: BUTTON_DATA_INVALID")
			}
		}
	}
	if len(kb.InlineKeyboard) == 0 {
		return nil, nil
	}
	return kb, nil
}

// parseInlineKeyboard decodes a reply_markup; it returns nil without error when the markup is
// absent or is not an inline keyboard.
func parseInlineKeyboard(raw string) (*models.InlineKeyboardMarkup, error) {
	if raw == "" {
		return nil, nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &probe); err != nil {
		return nil, err
	}
	if _, ok := probe["inline_keyboard"]; !ok {
		return nil, nil
	}
	var kb models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, err
	}
	return &kb, nil
}

func sameMarkup(a, b *models.InlineKeyboardMarkup) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// checkTargetLocked applies the block list and resolves the replied-to message.
func (s *Server) checkTargetLocked(t sendTarget) (*models.Message, *apiError) {
	if s.blocked[t.chatID] {
		return nil, &apiError{code: http.StatusForbidden, desc: descBlocked}
	}
	if t.replyTo == 0 {
		return nil, nil
	}
	stored, ok := s.messages[t.chatID][t.replyTo]
	if !ok {
		if t.allowNoReply {
			return nil, nil
		}
		return nil, badRequest(descReplyNotFound)
	}
	stored.ReplyToMessage = nil
	return &stored, nil
}

// renderText applies parse_mode to a text or caption and checks its length.
func renderText(text, parseMode string, limit int, tooLong string) (string, *apiError) {
	if strings.EqualFold(parseMode, "HTML") {
		plain, err := renderHTML(text)
		if err != nil {
			return "", badRequest("Bad Request: can't parse entities: " + err.Error())
		}
		text = plain
	}
	if utf16Len(text) > limit {
		return "", badRequest(tooLong)
	}
	return text, nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (s *Server) sendMessage(r *request) (any, *apiError) {
	t, aerr := readSendTarget(r)
	if aerr != nil {
		return nil, aerr
	}
	text, aerr := renderText(r.fields["text"], r.fields["parse_mode"], maxTextLength, descTextTooLong)
	if aerr != nil {
		return nil, aerr
	}
	if strings.TrimSpace(text) == "" {
		return nil, badRequest(descTextEmpty)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reply, aerr := s.checkTargetLocked(t)
	if aerr != nil {
		return nil, aerr
	}
	m := s.newMessageLocked(t.chatID, t.threadID)
	m.Text = text
	m.ReplyToMessage = reply
	m.ReplyMarkup = t.markup
	s.storeLocked(m)
	return m, nil
}

func (s *Server) sendPhoto(r *request) (any, *apiError) {
	return s.sendMedia(r, "photo")
}

func (s *Server) sendDocument(r *request) (any, *apiError) {
	return s.sendMedia(r, "document")
}

func (s *Server) sendMedia(r *request, kind string) (any, *apiError) {
	t, aerr := readSendTarget(r)
	if aerr != nil {
		return nil, aerr
	}
	caption, aerr := renderText(r.fields["caption"], r.fields["parse_mode"], maxCaptionLength, descCaptionTooLong)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reply, aerr := s.checkTargetLocked(t)
	if aerr != nil {
		return nil, aerr
	}
	f, name, aerr := s.inputFileLocked(r, kind)
	if aerr != nil {
		return nil, aerr
	}
	m := s.newMessageLocked(t.chatID, t.threadID)
	m.Caption = caption
	m.ReplyToMessage = reply
	m.ReplyMarkup = t.markup
	s.attachLocked(&m, kind, f, name)
	s.storeLocked(m)
	return m, nil
}

// sendMediaGroup sends an album: 2 to 10 photos (or videos), or 2 to 10 documents, each
// from an uploaded part named by "attach://name" or a known file_id, each with its own
// caption. It answers the messages, which share a media_group_id.
func (s *Server) sendMediaGroup(r *request) (any, *apiError) {
	t, aerr := readSendTarget(r)
	if aerr != nil {
		return nil, aerr
	}
	if r.fields["reply_markup"] != "" {
		return nil, badRequest("Bad Request: reply markup is not supported in media groups")
	}
	var media []struct {
		Type      string `json:"type"`
		Media     string `json:"media"`
		Caption   string `json:"caption"`
		ParseMode string `json:"parse_mode"`
	}
	if err := json.Unmarshal([]byte(r.fields["media"]), &media); err != nil {
		return nil, badRequest("Bad Request: can't parse media JSON object")
	}
	if len(media) < 2 || len(media) > 10 {
		return nil, badRequest("Bad Request: wrong number of media files: must be 2-10")
	}
	docs := 0
	for _, m := range media {
		switch m.Type {
		case "document":
			docs++
		case "photo", "video":
		default:
			return nil, badRequest("Bad Request: unsupported media type " + m.Type + " in a media group")
		}
	}
	if docs != 0 && docs != len(media) {
		return nil, badRequest("Bad Request: documents can't be mixed with other media types")
	}
	captions := make([]string, len(media))
	for i, m := range media {
		c, aerr := renderText(m.Caption, m.ParseMode, maxCaptionLength, descCaptionTooLong)
		if aerr != nil {
			return nil, aerr
		}
		captions[i] = c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reply, aerr := s.checkTargetLocked(t)
	if aerr != nil {
		return nil, aerr
	}
	s.uploads++
	group := fmt.Sprintf("tgfake-album-%d", s.uploads)
	out := make([]models.Message, 0, len(media))
	for i, m := range media {
		f, name, aerr := s.mediaFileLocked(r, m.Media, m.Type)
		if aerr != nil {
			return nil, aerr
		}
		msg := s.newMessageLocked(t.chatID, t.threadID)
		msg.Caption, msg.MediaGroupID, msg.ReplyToMessage = captions[i], group, reply
		s.attachLocked(&msg, m.Type, f, name)
		s.storeLocked(msg)
		out = append(out, msg)
	}
	return out, nil
}

// sendLocation sends a point on the map.
func (s *Server) sendLocation(r *request) (any, *apiError) {
	t, aerr := readSendTarget(r)
	if aerr != nil {
		return nil, aerr
	}
	lat, err1 := strconv.ParseFloat(r.fields["latitude"], 64)
	long, err2 := strconv.ParseFloat(r.fields["longitude"], 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || long < -180 || long > 180 {
		return nil, badRequest("Bad Request: wrong latitude or longitude")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reply, aerr := s.checkTargetLocked(t)
	if aerr != nil {
		return nil, aerr
	}
	m := s.newMessageLocked(t.chatID, t.threadID)
	m.Location = &models.Location{Latitude: lat, Longitude: long}
	m.ReplyToMessage = reply
	m.ReplyMarkup = t.markup
	s.storeLocked(m)
	return m, nil
}

// mediaFileLocked resolves the media of one item of a media group: "attach://name" (an
// uploaded part of that name) or a known file_id. Uploads become new files.
func (s *Server) mediaFileLocked(r *request, ref, kind string) (models.File, string, *apiError) {
	if attach, ok := strings.CutPrefix(ref, "attach://"); ok {
		data, uploaded := r.files[attach]
		if !uploaded {
			return models.File{}, "", badRequest("Bad Request: wrong file identifier/HTTP URL specified")
		}
		name := r.fileNames[attach]
		s.uploads++
		id := fmt.Sprintf("tgfake-%s-%d", kind, s.uploads)
		ext := path.Ext(name)
		if ext == "" && kind == "photo" {
			ext = ".jpg"
		}
		return s.addFileLocked(id, fmt.Sprintf("%ss/file_%d%s", kind, s.uploads, ext), data), name, nil
	}
	if e, ok := s.files[ref]; ok {
		return e.file, path.Base(e.file.FilePath), nil
	}
	return models.File{}, "", badRequest("Bad Request: wrong file identifier/HTTP URL specified")
}

// attachLocked puts file f on message m as a photo or a document.
func (s *Server) attachLocked(m *models.Message, kind string, f models.File, name string) {
	switch kind {
	case "photo":
		w, h := 1280, 960
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(s.files[f.FileID].data)); err == nil {
			w, h = cfg.Width, cfg.Height
		}
		m.Photo = []models.PhotoSize{{FileID: f.FileID, FileUniqueID: f.FileUniqueID, Width: w, Height: h, FileSize: int(f.FileSize)}}
	case "document":
		m.Document = &models.Document{
			FileID:       f.FileID,
			FileUniqueID: f.FileUniqueID,
			FileName:     name,
			MimeType:     mime.TypeByExtension(path.Ext(name)),
			FileSize:     f.FileSize,
		}
	}
}

// FileData returns the contents of a file the server knows (registered with AddFile or
// uploaded by the bot), and whether it knows it.
func (s *Server) FileData(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.files[fileID]
	return e.data, ok
}

// inputFileLocked resolves the file field of a send method: an uploaded file part (also through
// "attach://name"), a known file_id or an HTTP URL. Uploads and URLs become new files.
func (s *Server) inputFileLocked(r *request, field string) (models.File, string, *apiError) {
	name := r.fileNames[field]
	data, uploaded := r.files[field]
	if !uploaded {
		ref, ok := r.fields[field]
		if !ok || ref == "" {
			return models.File{}, "", badRequest("Bad Request: there is no " + field + " in the request")
		}
		if attach, ok := strings.CutPrefix(ref, "attach://"); ok {
			data, uploaded = r.files[attach]
			name = r.fileNames[attach]
			if !uploaded {
				return models.File{}, "", badRequest("Bad Request: wrong file identifier/HTTP URL specified")
			}
		} else if e, ok := s.files[ref]; ok {
			return e.file, path.Base(e.file.FilePath), nil
		} else if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
			name = path.Base(ref)
		} else {
			return models.File{}, "", badRequest("Bad Request: wrong file identifier/HTTP URL specified")
		}
	}
	s.uploads++
	id := fmt.Sprintf("tgfake-%s-%d", field, s.uploads)
	ext := path.Ext(name)
	if ext == "" && field == "photo" {
		ext = ".jpg"
	}
	return s.addFileLocked(id, fmt.Sprintf("%ss/file_%d%s", field, s.uploads, ext), data), name, nil
}

// editTargetLocked finds the bot's own message an edit method names.
func (s *Server) editTargetLocked(r *request) (models.Message, *apiError) {
	if r.fields["inline_message_id"] != "" {
		return models.Message{}, badRequest("Bad Request: MESSAGE_ID_INVALID")
	}
	chatID, aerr := chatIDField(r)
	if aerr != nil {
		return models.Message{}, aerr
	}
	if s.blocked[chatID] {
		return models.Message{}, &apiError{code: http.StatusForbidden, desc: descBlocked}
	}
	id, _ := strconv.Atoi(r.fields["message_id"])
	m, ok := s.messages[chatID][id]
	if !ok {
		return models.Message{}, badRequest(descEditNotFound)
	}
	if m.From == nil || m.From.ID != s.me.ID {
		return models.Message{}, badRequest("Bad Request: message can't be edited")
	}
	return m, nil
}

func (s *Server) editMessageText(r *request) (any, *apiError) {
	text, aerr := renderText(r.fields["text"], r.fields["parse_mode"], maxTextLength, descTextTooLong)
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := markupField(r)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.editTargetLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	if m.Text == "" {
		return nil, badRequest("Bad Request: there is no text in the message to edit")
	}
	if strings.TrimSpace(text) == "" {
		return nil, badRequest(descTextEmpty)
	}
	if m.Text == text && sameMarkup(m.ReplyMarkup, markup) {
		return nil, badRequest(descNotModified)
	}
	m.Text, m.ReplyMarkup, m.EditDate = text, markup, int(time.Now().Unix())
	s.storeLocked(m)
	return m, nil
}

func (s *Server) editMessageCaption(r *request) (any, *apiError) {
	caption, aerr := renderText(r.fields["caption"], r.fields["parse_mode"], maxCaptionLength, descCaptionTooLong)
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := markupField(r)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.editTargetLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	if m.Text != "" {
		return nil, badRequest("Bad Request: there is no caption in the message to edit")
	}
	if m.Caption == caption && sameMarkup(m.ReplyMarkup, markup) {
		return nil, badRequest(descNotModified)
	}
	m.Caption, m.ReplyMarkup, m.EditDate = caption, markup, int(time.Now().Unix())
	s.storeLocked(m)
	return m, nil
}

func (s *Server) editMessageReplyMarkup(r *request) (any, *apiError) {
	markup, aerr := markupField(r)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.editTargetLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	if sameMarkup(m.ReplyMarkup, markup) {
		return nil, badRequest(descNotModified)
	}
	m.ReplyMarkup, m.EditDate = markup, int(time.Now().Unix())
	s.storeLocked(m)
	return m, nil
}

func (s *Server) deleteMessage(r *request) (any, *apiError) {
	chatID, aerr := chatIDField(r)
	if aerr != nil {
		return nil, aerr
	}
	id, _ := strconv.Atoi(r.fields["message_id"])
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.messages[chatID][id]; !ok {
		return nil, badRequest("Bad Request: message to delete not found")
	}
	delete(s.messages[chatID], id)
	return true, nil
}

// descQueryTooOld is Telegram's answer to a second answer of a callback query, or one
// that came too late.
const descQueryTooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid"

// maxAnswerText is the most characters of an answer to a callback query.
const maxAnswerText = 200

// PressAnswer is how the bot answered a callback query.
type PressAnswer struct {
	Text  string
	Alert bool // show_alert: a dialog the user must dismiss, not a passing notification
}

// answerCallbackQuery accepts one answer per query, as Telegram does: a second one, or
// one for a query ExpireCallback made too old, fails with "query is too old". Texts
// over 200 characters are refused.
func (s *Server) answerCallbackQuery(r *request) (any, *apiError) {
	id := r.fields["callback_query_id"]
	if id == "" {
		return nil, badRequest(descQueryTooOld)
	}
	text := r.fields["text"]
	if len([]rune(text)) > maxAnswerText {
		return nil, badRequest("Bad Request: MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, done := s.answers[id]; done || s.expired[id] {
		return nil, badRequest(descQueryTooOld)
	}
	s.answers[id] = PressAnswer{Text: text, Alert: r.fields["show_alert"] == "true"}
	return true, nil
}

// Answer returns how the callback query with the given ID was answered, and whether it was.
func (s *Server) Answer(callbackQueryID string) (PressAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[callbackQueryID]
	return a, ok
}

// ExpireCallback makes the callback query with the given ID too old to answer, as a
// query is some seconds after the press on Telegram.
func (s *Server) ExpireCallback(callbackQueryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expired[callbackQueryID] = true
}

// commandsKey is a scope of bot commands and a language: Scope is the scope's type, with
// ":<chat_id>" and ":<user_id>" for the scopes of one chat or member.
type commandsKey struct{ scope, lang string }

var commandScopes = map[string]int{ // scope type -> how many IDs it takes (chat_id, user_id)
	"default": 0, "all_private_chats": 0, "all_group_chats": 0, "all_chat_administrators": 0,
	"chat": 1, "chat_administrators": 1, "chat_member": 2,
}

// commandsKeyOf reads the scope and language_code of a *MyCommands call.
func commandsKeyOf(r *request) (commandsKey, *apiError) {
	scope := struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}{Type: "default"}
	if raw := r.fields["scope"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &scope); err != nil {
			return commandsKey{}, badRequest("Bad Request: can't parse BotCommandScope JSON object")
		}
	}
	ids, ok := commandScopes[scope.Type]
	if !ok {
		return commandsKey{}, badRequest("Bad Request: unsupported scope type")
	}
	key := scope.Type
	if ids >= 1 {
		if len(scope.ChatID) == 0 {
			return commandsKey{}, badRequest(descChatIDEmpty)
		}
		key += ":" + strings.Trim(string(scope.ChatID), `"`)
	}
	if ids == 2 {
		if scope.UserID <= 0 {
			return commandsKey{}, badRequest("Bad Request: invalid user_id specified")
		}
		key += ":" + strconv.FormatInt(scope.UserID, 10)
	}
	lang := r.fields["language_code"]
	if lang != "" && (len(lang) != 2 || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyz") != "") {
		return commandsKey{}, badRequest("Bad Request: invalid language code specified")
	}
	return commandsKey{key, lang}, nil
}

// setMyCommands checks the commands as Telegram does: at most 100, each 1–32 of a–z, 0–9
// and _, with a description of 1–256 characters.
func (s *Server) setMyCommands(r *request) (any, *apiError) {
	key, aerr := commandsKeyOf(r)
	if aerr != nil {
		return nil, aerr
	}
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(r.fields["commands"]), &cmds); err != nil {
		return nil, badRequest("Bad Request: can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("Bad Request: too many commands")
	}
	for _, c := range cmds {
		if c.Command == "" || len(c.Command) > 32 || strings.Trim(c.Command, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return nil, badRequest("Bad Request: BOT_COMMAND_INVALID")
		}
		if n := len([]rune(strings.TrimSpace(c.Description))); n == 0 || n > 256 {
			return nil, badRequest("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return true, nil
}

// getMyCommands returns the commands of exactly that scope and language (an empty list
// when none were set), as Telegram does.
func (s *Server) getMyCommands(r *request) (any, *apiError) {
	key, aerr := commandsKeyOf(r)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand{}, s.commands[key]...), nil
}

func (s *Server) deleteMyCommands(r *request) (any, *apiError) {
	key, aerr := commandsKeyOf(r)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	return true, nil
}

// Commands returns the commands the bot set for a scope type ("default",
// "all_private_chats", "all_group_chats", "all_chat_administrators"; "chat:<chat_id>"
// and the like for the others) and a language code ("" for every language without a
// list of its own).
func (s *Server) Commands(scope, lang string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[commandsKey{scope, lang}])
}

func (s *Server) getFile(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.files[r.fields["file_id"]]
	if !ok {
		return nil, badRequest("Bad Request: invalid file_id")
	}
	if e.file.FileSize > maxDownloadSize {
		return nil, badRequest("Bad Request: file is too big")
	}
	return e.file, nil
}

func (s *Server) createForumTopic(r *request) (any, *apiError) {
	chatID, aerr := chatIDField(r)
	if aerr != nil {
		return nil, aerr
	}
	name := r.fields["name"]
	if chatID > 0 {
		return nil, badRequest("Bad Request: the chat is not a forum")
	}
	if name == "" || utf16Len(name) > 128 {
		return nil, badRequest("Bad Request: TOPIC_NAME_INVALID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.topics[chatID] == nil {
		s.topics[chatID] = make(map[int]string)
	}
	// A topic's ID is the ID of the service message that opens it.
	m := s.newMessageLocked(chatID, 0)
	s.topics[chatID][m.ID] = name
	m.Chat.IsForum = true
	m.MessageThreadID, m.IsTopicMessage = m.ID, true
	m.ForumTopicCreated = &models.ForumTopicCreated{Name: name, IconColor: 7322096}
	s.storeLocked(m)
	return models.ForumTopic{MessageThreadID: m.ID, Name: name, IconColor: 7322096}, nil
}

func (s *Server) sendChatAction(r *request) (any, *apiError) {
	chatID, aerr := chatIDField(r)
	if aerr != nil {
		return nil, aerr
	}
	if r.fields["action"] == "" {
		return nil, badRequest("Bad Request: wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chatID] {
		return nil, &apiError{code: http.StatusForbidden, desc: descBlocked}
	}
	return true, nil
}

// setWebhook accepts http and https URLs (Telegram takes only https) so a test can point it
// at an httptest server. An empty url removes the webhook.
func (s *Server) setWebhook(r *request) (any, *apiError) {
	url := r.fields["url"]
	if url != "" && !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return nil, badRequest("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
	}
	var allowed []string
	raw, allowedSet := r.fields["allowed_updates"]
	if allowedSet {
		if err := json.Unmarshal([]byte(raw), &allowed); err != nil {
			return nil, badRequest("Bad Request: can't parse allowed updates")
		}
	}
	maxConn, _ := strconv.Atoi(r.fields["max_connections"])
	if maxConn == 0 {
		maxConn = 40
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhookState{url: url, secret: r.fields["secret_token"], maxConnections: maxConn}
	if url == "" {
		s.webhook = webhookState{}
	}
	if allowedSet {
		s.allowed = nil
		if len(allowed) > 0 {
			s.allowed = allowed
		}
	}
	if r.fields["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	return true, nil
}

func (s *Server) deleteWebhook(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhookState{}
	if r.fields["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	return true, nil
}

func (s *Server) getWebhookInfo(*request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := models.WebhookInfo{URL: s.webhook.url, PendingUpdateCount: len(s.updates)}
	if s.webhook.url != "" {
		info.MaxConnections = s.webhook.maxConnections
		info.AllowedUpdates = slices.Clone(s.allowed)
	}
	return info, nil
}

func (s *Server) getChat(r *request) (any, *apiError) {
	chatID, aerr := chatIDField(r)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{"id": chatID, "type": "private", "accent_color_id": 0, "max_reaction_count": 11,
		"accepted_gift_types": map[string]bool{}}
	if chatID < 0 {
		info["type"] = "supergroup"
		info["title"] = "Grup " + strconv.FormatInt(-chatID, 10)
		info["is_forum"] = s.forums[chatID]
	}
	return info, nil
}

func (s *Server) getChatMember(r *request) (any, *apiError) {
	chatID, aerr := chatIDField(r)
	if aerr != nil {
		return nil, aerr
	}
	userID, err := strconv.ParseInt(r.fields["user_id"], 10, 64)
	if err != nil || userID <= 0 {
		return nil, badRequest("Bad Request: invalid user_id specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	status, ok := s.members[memberKey{chatID, userID}]
	if !ok {
		status = string(models.ChatMemberTypeLeft)
	}
	user := models.User{ID: userID, FirstName: "Tester"}
	if userID == s.me.ID {
		user = s.me
	}
	member := map[string]any{"status": status, "user": user}
	switch models.ChatMemberType(status) {
	case models.ChatMemberTypeOwner:
		member["is_anonymous"] = false
	case models.ChatMemberTypeAdministrator:
		for _, right := range []string{"can_manage_chat", "can_delete_messages", "can_manage_video_chats",
			"can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
			"can_pin_messages", "can_manage_topics"} {
			member[right] = true
		}
		member["can_be_edited"], member["is_anonymous"] = false, false
	case models.ChatMemberTypeRestricted:
		member["is_member"], member["until_date"] = !s.outside[memberKey{chatID, userID}], 0
	case models.ChatMemberTypeBanned:
		member["until_date"] = 0
	}
	return member, nil
}

// HTML parse mode, with the rules of Telegram's parser (tdlib's parse_html).

var htmlTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true, "tg-emoji": true,
	"code": true, "pre": true, "blockquote": true,
}

// renderHTML returns the plain text of an HTML-formatted message, or an error worded as
// Telegram's for an unsupported or unbalanced tag.
func renderHTML(s string) (string, error) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '&':
			r, n := htmlEntity(s[i:])
			if n == 0 {
				out.WriteByte('&')
				i++
				continue
			}
			out.WriteRune(r)
			i += n
		case '<':
			begin := i
			end := tagEnd(s, i)
			if i+1 < len(s) && s[i+1] == '/' {
				if end < 0 {
					return "", fmt.Errorf("Unclosed end tag at byte offset %d", begin)
				}
				name := strings.ToLower(strings.TrimSpace(s[i+2 : end]))
				if len(open) == 0 {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", begin)
				}
				if top := open[len(open)-1]; name != top {
					return "", fmt.Errorf(`Unmatched end tag at byte offset %d, expected "</%s>", found "</%s>"`, begin, top, name)
				}
				open = open[:len(open)-1]
				i = end + 1
				continue
			}
			j := i + 1
			for j < len(s) && !strings.ContainsRune(" \t\n\r>", rune(s[j])) {
				j++
			}
			name := strings.ToLower(s[i+1 : j])
			if !htmlTags[name] {
				return "", fmt.Errorf("Unsupported start tag %q at byte offset %d", name, begin)
			}
			if end < 0 {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			open = append(open, name)
			i = end + 1
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag %q", open[len(open)-1])
	}
	return out.String(), nil
}

// tagEnd returns the index of the '>' closing the tag that starts at i, skipping quoted
// attribute values, or -1.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j
		}
	}
	return -1
}

// htmlEntity decodes the entity at the start of s: &lt; &gt; &amp; &quot; or a numeric one.
// It returns the length consumed, or 0 when s does not start with one, in which case Telegram
// keeps the '&' as text.
func htmlEntity(s string) (rune, int) {
	semi := strings.IndexByte(s, ';')
	if semi < 2 || semi > 10 {
		return 0, 0
	}
	name := s[1:semi]
	switch name {
	case "lt":
		return '<', semi + 1
	case "gt":
		return '>', semi + 1
	case "amp":
		return '&', semi + 1
	case "quot":
		return '"', semi + 1
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if hex, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
			num, base = hex, 16
		}
		if n, err := strconv.ParseUint(num, base, 32); err == nil && n > 0 && n <= 0x10ffff {
			return rune(n), semi + 1
		}
	}
	return 0, 0
}

// Updates for Push and PostWebhook.

var callbackSeq atomic.Int64

func nextCallbackID() string {
	return "tgfake-cbq-" + strconv.FormatInt(callbackSeq.Add(1), 10)
}

// user returns the sender the update helpers use: a person named "Tester" whose Telegram app
// speaks Indonesian.
func user(id int64) *models.User {
	return &models.User{ID: id, FirstName: "Tester", LanguageCode: "id"}
}

// chat returns the chat the update helpers use: private for a positive ID, a supergroup
// otherwise.
func chat(id int64) models.Chat {
	if id > 0 {
		return models.Chat{ID: id, Type: models.ChatTypePrivate, FirstName: "Tester"}
	}
	return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: "Group"}
}

// message returns a new message from fromID in chatID; Push gives it its message_id.
func message(chatID, fromID int64) *models.Message {
	return &models.Message{From: user(fromID), Chat: chat(chatID), Date: int(time.Now().Unix())}
}

// TextMessage returns an update with a text message from fromID in chatID (a private chat when
// chatID is positive, a supergroup otherwise). A leading "/command" gets its bot_command entity.
func TextMessage(chatID, fromID int64, text string) models.Update {
	m := message(chatID, fromID)
	m.Text = text
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		cmd, _, _ = strings.Cut(cmd, "\n")
		m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(cmd)}}
	}
	return models.Update{Message: m}
}

// ReplyMessage returns TextMessage replying to message replyToMessageID of the same chat.
func ReplyMessage(chatID, fromID int64, replyToMessageID int, text string) models.Update {
	u := TextMessage(chatID, fromID, text)
	u.Message.ReplyToMessage = &models.Message{ID: replyToMessageID, Chat: chat(chatID), Date: u.Message.Date}
	return u
}

// Callback returns an update with a callback query from fromID pressing a button with data on
// message messageID in chatID.
func Callback(chatID, fromID int64, messageID int, data string) models.Update {
	return models.Update{CallbackQuery: &models.CallbackQuery{
		ID:   nextCallbackID(),
		From: *user(fromID),
		Message: models.MaybeInaccessibleMessage{
			Type:    models.MaybeInaccessibleMessageTypeMessage,
			Message: &models.Message{ID: messageID, Chat: chat(chatID), Date: int(time.Now().Unix())},
		},
		ChatInstance: strconv.FormatInt(chatID, 10),
		Data:         data,
	}}
}

// ContactMessage returns an update where fromID shares their own contact with phone, as the
// request_contact keyboard button does.
func ContactMessage(chatID, fromID int64, phone string) models.Update {
	m := message(chatID, fromID)
	m.Contact = &models.Contact{PhoneNumber: phone, FirstName: "Tester", UserID: fromID}
	return models.Update{Message: m}
}

// PhotoMessage returns an update with a photo of size bytes whose largest (last) size is
// fileID, and an optional caption. Register the bytes with AddFile to let the bot download it.
func PhotoMessage(chatID, fromID int64, fileID string, size int64, caption string) models.Update {
	m := message(chatID, fromID)
	m.Photo = []models.PhotoSize{
		{FileID: fileID + "-thumb", FileUniqueID: "u-" + fileID + "-thumb", Width: 90, Height: 68, FileSize: int(size / 20)},
		{FileID: fileID, FileUniqueID: "u-" + fileID, Width: 1280, Height: 960, FileSize: int(size)},
	}
	m.Caption = caption
	return models.Update{Message: m}
}

// DocumentMessage returns an update with a document of size bytes and an optional caption.
func DocumentMessage(chatID, fromID int64, fileID, fileName string, size int64, caption string) models.Update {
	m := message(chatID, fromID)
	m.Document = &models.Document{
		FileID:       fileID,
		FileUniqueID: "u-" + fileID,
		FileName:     fileName,
		MimeType:     mime.TypeByExtension(path.Ext(fileName)),
		FileSize:     size,
	}
	m.Caption = caption
	return models.Update{Message: m}
}

// LocationMessage returns an update with a shared location.
func LocationMessage(chatID, fromID int64, latitude, longitude float64) models.Update {
	m := message(chatID, fromID)
	m.Location = &models.Location{Latitude: latitude, Longitude: longitude}
	return models.Update{Message: m}
}
