package flows

// TitleOf exposes titleOf to the tests of package flows_test.
var TitleOf = titleOf
