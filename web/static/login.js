// Post the link's token back once the page has loaded: link previews fetch but never post.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("login");
  if (form) { form.submit(); }
});
